"""A Lightning callback that kills its own process at one job of a sweep, for the parallel
launcher's test: under ``hydra/launcher=parallel`` that process is a worker, and only the job
it was running may fail.
"""

from __future__ import annotations

import os
import signal

import pytorch_lightning as pl
from hydra.core.hydra_config import HydraConfig


class KillAtJob(pl.Callback):
    """SIGKILL this process after the first training step of job number ``job``."""

    def __init__(self, job: int) -> None:
        self.job = job

    def on_train_batch_end(self, trainer: pl.Trainer, *args: object) -> None:
        """Die, in the chosen job only."""
        if int(HydraConfig.get().job.num) == self.job:
            os.kill(os.getpid(), signal.SIGKILL)
