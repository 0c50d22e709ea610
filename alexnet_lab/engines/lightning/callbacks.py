"""Lightning callbacks that every run carries: its record, the target, the divergence check.

The record is the run's :class:`~alexnet_lab.run.session.RunSession`'s; these only hand it what
Lightning knows (the data at fit start, each epoch's metrics).
"""

from __future__ import annotations

import time
from typing import Any

import pytorch_lightning as pl

from alexnet_lab.engines.lightning import ddp
from alexnet_lab.errors import DivergedError
from alexnet_lab.record.files import RunRecord
from alexnet_lab.run.divergence import is_check_step, note_non_finite
from alexnet_lab.run.session import RunSession

EPOCH_KEYS = (
    "train_error",
    "train_loss",
    "train_eval_error",
    "val_error",
    "val_top5_error",
    "val_loss",
)


class RunRecorder(pl.Callback):
    """Hands the run's session its start and one row per epoch (the session writes them)."""

    def __init__(self, session: RunSession) -> None:
        self.session = session
        self._epoch_start = time.perf_counter()
        self._fit_start = time.perf_counter()

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """The run is training: its data described (set up by now); the first record."""
        self._fit_start = time.perf_counter()

        def opening(record: RunRecord) -> None:  # after the data's setup: a W&B run opens now
            for logger in trainer.loggers:
                logger.log_hyperparams(record.config)

        describe = getattr(getattr(trainer, "datamodule", None), "describe", None)
        data = describe() if describe is not None else None
        # the batch one optimizer step averages over: data.batch_size in every process
        self.session.start(data, trainer.world_size, open_loggers=opening)

    def on_exception(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException
    ) -> None:
        """A failed DDP job: keep Lightning's watcher from killing this process (the sweep)."""
        ddp.disarm_observers()

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Start the epoch's wall clock."""
        self._epoch_start = time.perf_counter()

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Record the finished epoch (its training and validation metrics, lr, seconds)."""
        metrics = trainer.callback_metrics
        row: dict[str, Any] = {"epoch": trainer.current_epoch + 1}
        for key in EPOCH_KEYS:
            if key in metrics:
                row[key] = round(float(metrics[key]), 6)
        row["lr"] = float(trainer.optimizers[0].param_groups[0]["lr"])
        row["seconds"] = round(time.perf_counter() - self._epoch_start, 3)
        row["elapsed"] = round(time.perf_counter() - self._fit_start, 3)
        self.session.add_epoch(row)


class StopAtTarget(pl.Callback):
    """Ends training once the session says the run reached its target (``stop_at_target``).

    For budgeted speed claims (C1 reads only the epochs to the target): the run completes,
    is tested, and its record says ``stopped_at_target``. Runs after :class:`RunRecorder`.
    """

    def __init__(self, session: RunSession) -> None:
        self.session = session

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Stop when this epoch's row reached the target."""
        if self.session.done:
            trainer.should_stop = True


class DivergenceMonitor(pl.Callback):
    """Stops the run at a non-finite training loss by raising :class:`DivergedError`.

    The first such step and its loss are kept on the device and read every few steps and at
    the epoch's last step, before validation and checkpoints (:mod:`alexnet_lab.run.divergence`):
    the error names the first non-finite step.
    """

    def __init__(self) -> None:
        self.first_bad: Any = None  # (global step, loss) tensors, or None before the first step

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        """Note the step's loss if it is the first non-finite one; every few steps, read it."""
        import torch

        loss = outputs["loss"] if isinstance(outputs, dict) else outputs
        if self.first_bad is None:
            self.first_bad = (torch.full((), -1, device=loss.device), loss.new_zeros(()))
        self.first_bad = note_non_finite(loss, trainer.global_step, *self.first_bad)
        if not is_check_step(batch_idx, trainer.num_training_batches):
            return
        step, value = self.first_bad
        if int(step) >= 0:
            lr = float(trainer.optimizers[0].param_groups[0]["lr"])
            raise DivergedError(trainer.current_epoch + 1, int(step), float(value), lr)


class RNGState(pl.Callback):
    """Saves the torch, CUDA, NumPy and Python RNG states in every checkpoint and restores them.

    Lightning restores epoch, optimizer and scheduler on resume but not the random streams, so
    without this a resumed run would shuffle and crop differently from an uninterrupted one.
    """

    def state_dict(self) -> dict[str, Any]:
        """The process's RNG states now."""
        import random

        import numpy as np
        import torch

        state: dict[str, Any] = {
            "torch": torch.get_rng_state(),
            # as tensors and plain numbers, so the checkpoint loads with weights_only=True
            "numpy": _numpy_state_to_plain(np.random.get_state()),
            "python": random.getstate(),
        }
        if torch.cuda.is_available():
            state["cuda"] = torch.cuda.get_rng_state_all()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Put the saved RNG states back (called by Lightning when a checkpoint is restored)."""
        import random

        import numpy as np
        import torch

        torch.set_rng_state(state_dict["torch"])
        name, keys, pos, has_gauss, cached = state_dict["numpy"]
        np.random.set_state((name, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
        random.setstate(state_dict["python"])
        if "cuda" in state_dict and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state_dict["cuda"])


def _numpy_state_to_plain(state: Any) -> list[Any]:
    import torch

    name, keys, pos, has_gauss, cached = state
    return [name, torch.from_numpy(keys.astype("int64")), int(pos), int(has_gauss), float(cached)]
