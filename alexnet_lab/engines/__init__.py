"""The engines that train a run: Lightning (one run, DDP) and the vmapped stack (many)."""
