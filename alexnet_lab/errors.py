"""Errors that end a run with a one-paragraph message instead of a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad option, missing data): printed as one paragraph."""


class DataUnavailableError(UserError):
    """A data set is not on disk and cannot be downloaded."""


class DivergedError(Exception):
    """The training loss became NaN or infinite."""

    def __init__(self, epoch: int, step: int, loss: float, lr: float) -> None:
        self.epoch, self.step, self.loss, self.lr = epoch, step, loss, lr
        super().__init__(
            f"the training loss became {loss} at epoch {epoch}, step {step} (lr {lr:g}). "
            "The run is recorded as `diverged`. Lower the learning rate (optim.lr), or use an "
            "input scale with smaller values (data.scale=unit or standard); the paper's raw "
            "0-255 input needs learning rates several times lower than standardised input."
        )


class Terminated(BaseException):
    """SIGTERM arrived (a scheduler's stop, ``kill``): the run stops as if interrupted."""
