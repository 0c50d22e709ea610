"""alexnet-lab's stacked launcher: ``hydra/launcher=stacked``.

Its work is in ``alexnet_lab/sweep/stacked_sweep.py``.
"""

__version__ = "0.2.0"
