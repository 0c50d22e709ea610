"""alexnet-lab: the AlexNet paper's ablations, one command per claim."""

__version__ = "0.2.0"
