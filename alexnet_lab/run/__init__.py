"""One run's lifecycle: the Hydra job, training, its record, outcome and resume."""
