"""alexnet-lab's stacked launcher: ``hydra/launcher=stacked`` (its work: alexnet_lab/sweep/stacked_sweep.py)."""

__version__ = "0.2.0"
