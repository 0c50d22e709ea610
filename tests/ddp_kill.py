"""A Lightning callback that kills one DDP rank with SIGKILL, for the DDP sweep test.

Every rank writes its pid to ``pid_dir`` (``<rank>-<pid>``, holding the job's output folder)
so that the test can check afterwards that no process of the sweep is left alive.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytorch_lightning as pl

from alexnet_lab.run.roles import JOB_ENV


class KillRank(pl.Callback):
    """On global rank ``rank`` (-1: none), SIGKILL the process after training step ``step``."""

    def __init__(self, rank: int, pid_dir: str, step: int = 1) -> None:
        self.rank, self.step, self.pid_dir = rank, step, Path(pid_dir)

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        """Note this process's pid and job."""
        self.pid_dir.mkdir(parents=True, exist_ok=True)
        job = json.loads(os.environ.get(JOB_ENV, "{}")).get("output_dir", "")
        (self.pid_dir / f"{trainer.global_rank}-{os.getpid()}").write_text(job)

    def on_train_batch_end(self, trainer: pl.Trainer, *args: object) -> None:
        """Die, on the chosen rank, once ``step`` steps are done."""
        if trainer.global_rank == self.rank and trainer.global_step >= self.step:
            os.kill(os.getpid(), signal.SIGKILL)
