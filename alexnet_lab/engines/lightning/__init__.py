"""The Lightning engine: one run through a Trainer (CPU, GPU, DDP), and its Hydra job."""
