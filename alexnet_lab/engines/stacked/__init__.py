"""Stacked training: many jobs of a sweep as one torch.func model (hydra/launcher=stacked)."""
