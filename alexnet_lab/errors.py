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


class CommandEnd(SystemExit):
    """The command ends here: its exit status, and the one paragraph that says why.

    Raised by library code (a Hydra callback, a launcher, a report) instead of calling
    ``sys.exit``; the console scripts' entry points print the paragraph
    (:func:`alexnet_lab.console.say_end`) and exit with :attr:`code`. A ``SystemExit``, so
    Hydra's callback dispatcher and its error report let it through, and an uncaught one still
    exits with its status. An empty ``paragraph``: what there was to say has been said.
    """

    def __init__(self, code: int, title: str = "", paragraph: str = "") -> None:
        super().__init__(code)
        self.status, self.title, self.paragraph = code, title, paragraph

    def __str__(self) -> str:
        return f"{self.title}: {self.paragraph}" if self.paragraph else str(self.code)
