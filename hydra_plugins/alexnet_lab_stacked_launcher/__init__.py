"""alexnet-lab's stacked launcher: ``hydra/launcher=stacked`` (see stacked_launcher.py)."""

__version__ = "0.2.0"
