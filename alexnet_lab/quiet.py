"""A quiet terminal: the libraries' own switches for their banners, adverts and known warnings.

Applied once at CLI start (:func:`quiet_terminal`), so every job of a sweep (and a DDP child,
which starts through the same entry point) inherits it:

* Lightning's info lines ("GPU available", "TPU available", "Seed set to", the litlogger tip,
  "`Trainer.fit` stopped") are ``rank_zero_info`` calls on the ``pytorch_lightning`` and
  ``lightning_fabric`` loggers: those loggers are set to WARNING, so Lightning's warnings
  still show.
* W&B prints its header, history and summary unless silent: ``WANDB_SILENT=true`` (a user's
  own ``WANDB_SILENT`` wins), which also covers the sweep's summary run.
* torch's ``isinstance(treespec, LeafSpec) is deprecated`` FutureWarning, raised inside
  Lightning's ``_pytree`` helper, is filtered by its message and category only; so is
  Lightning's "number of training batches is smaller than the logging interval" warning,
  which every small data set meets (per-epoch values are logged either way), and
  ModelCheckpoint's two notes on a resumed run (its folder holds checkpoints; a moved run
  folder's checkpoint path changed), which every ``resume=true`` meets.
* A log handler that cannot write (its file on a full disk) is ignored
  (``logging.raiseExceptions = False``) instead of printing a traceback per message; W&B's
  and Hydra's file logs would print thousands. The run's own error still says the disk is full.
* stdout becomes line-buffered when it is not a terminal, so a piped run (``| tee log``)
  shows each job's line as it finishes.

``verbose=true`` (conf/config.yaml) brings back the per-run table; the banners stay off.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

LIGHTNING_LOGGERS = (
    "pytorch_lightning",
    "lightning_fabric",
    "lightning.pytorch",
    "lightning.fabric",
    # Lightning's import sets its top loggers back to INFO, and the CLI imports Lightning only
    # after Hydra has read the arguments: the loggers of the banners keep their own level
    "pytorch_lightning.utilities.rank_zero",
    "lightning_fabric.utilities.rank_zero",
    "lightning_fabric.utilities.seed",
    "lightning.pytorch.utilities.rank_zero",
    "lightning.fabric.utilities.rank_zero",
    "lightning.fabric.utilities.seed",
)
LEAFSPEC_WARNING = r"`isinstance\(treespec, LeafSpec\)` is deprecated"
#: Lightning's advice for an epoch of fewer steps than ``log_every_n_steps``: a small data set
#: (every test, every quick try) meets it on every run, and the run record and the loggers'
#: per-epoch values do not depend on it
LOG_INTERVAL_WARNING = r"The number of training batches \(\d+\) is smaller than the logging"
#: ModelCheckpoint's notes on a resumed run: its folder holds checkpoints (the toolkit refuses a
#: used folder unless resume=true continues it or replace=true moved its runs aside), and a run
#: folder that was moved since keeps its checkpoints in the new place
RESUMED_CHECKPOINT_WARNINGS = (
    r"Checkpoint directory .* exists and is not empty",
    r"The dirpath has changed from .* to .*, therefore",
)


def quiet_terminal() -> None:
    """Silence Lightning's info banners, W&B's console output and the known warnings above."""
    quiet_lightning()
    os.environ.setdefault("WANDB_SILENT", "true")
    logging.raiseExceptions = False
    warnings.filterwarnings("ignore", message=LEAFSPEC_WARNING, category=FutureWarning)
    warnings.filterwarnings("ignore", message=LOG_INTERVAL_WARNING)
    for message in RESUMED_CHECKPOINT_WARNINGS:
        warnings.filterwarnings("ignore", message=message)
    warnings.formatwarning = format_own_warnings_plainly
    line_buffered_stdout()


def format_own_warnings_plainly(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    """The toolkit's own warnings as ``warning: <text>``; the libraries' as Python shows them.

    Ours are sentences for the user (what happened, what to do), so Python's ``file:line:
    UserWarning:`` prefix and the quoted source line are noise; a library's keep them.
    """
    where = filename.replace("\\", "/")
    # torch's C++ warnings name the toolkit's line that called it: they keep that line
    from_torch = "Triggered internally" in str(message)
    if ("/alexnet_lab/" in where or "/hydra_plugins/alexnet_lab_" in where) and not from_torch:
        return f"warning: {message}\n"
    return _PYTHONS_FORMAT(message, category, filename, lineno, line)


#: Python's own warning format, for the libraries' warnings
_PYTHONS_FORMAT = warnings.formatwarning


def quiet_lightning() -> None:
    """Lightning's loggers at WARNING (again after Lightning's import, which resets its own)."""
    for name in LIGHTNING_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def line_buffered_stdout() -> None:
    """Flush stdout at every newline when it is piped or redirected (a terminal already is)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and not sys.stdout.isatty():
        reconfigure(line_buffering=True)
