"""alexnet-lab's parallel launcher: ``hydra/launcher=parallel`` (see parallel_launcher.py)."""

__version__ = "0.2.0"
