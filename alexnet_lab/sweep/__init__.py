"""A sweep's Hydra side: callbacks, the budget check, launcher plugins, W&B sweep files."""
