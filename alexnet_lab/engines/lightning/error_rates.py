"""Error-rate metrics (the paper reports errors, torchmetrics computes accuracies)."""

from __future__ import annotations

import torch
from torchmetrics.classification import MulticlassAccuracy


class ErrorRate(MulticlassAccuracy):
    """Top-k error rate over every sample seen since the last reset, synced across processes.

    Logged per epoch from ``training_step`` this is the paper's *running* training error: the
    fraction of the epoch's training samples misclassified at the moment each mini-batch was
    seen (dropout on, weights changing), i.e. the sample-weighted mean of per-batch errors.
    """

    def __init__(self, num_classes: int, top_k: int = 1) -> None:
        # validate_args=False: the inputs are the module's own log-probabilities and labels,
        # and the check reads them back to the host (torch.unique) at every update
        super().__init__(
            num_classes=num_classes,
            top_k=min(top_k, num_classes),
            average="micro",
            validate_args=False,
        )

    def compute(self) -> torch.Tensor:
        """Return 1 - accuracy."""
        return 1.0 - super().compute()
