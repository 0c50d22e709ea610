"""Weights & Biases: settings checks, Lightning loggers, W&B sweep agents."""
