"""A Lightning callback for the CLI's tests: the run fails, then finishing W&B fails too.

At the end of the first training epoch it makes ``alexnet_lab.engines.lightning.job.finish_wandb``
raise (as W&B does when its files are on a full disk) and the run itself raise its own error; the
job must still record that error, not W&B's.
"""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl

import alexnet_lab.engines.lightning.job

OWN_ERROR = "the run's own error"


def _finish_fails(*args: Any, **kwargs: Any) -> None:
    raise OSError(28, "No space left on device (W&B's log)")


class Fail(pl.Callback):
    """Fail the run after its first epoch; W&B's finish then raises as well."""

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Break both."""
        alexnet_lab.engines.lightning.job.finish_wandb = _finish_fails  # type: ignore[assignment]
        raise ValueError(OWN_ERROR)
