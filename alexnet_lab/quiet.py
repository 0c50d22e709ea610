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
  Lightning's ``_pytree`` helper, is filtered by its message and category only.
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
)
LEAFSPEC_WARNING = r"`isinstance\(treespec, LeafSpec\)` is deprecated"


def quiet_terminal() -> None:
    """Silence Lightning's info banners, W&B's console output and torch's LeafSpec warning."""
    for name in LIGHTNING_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    os.environ.setdefault("WANDB_SILENT", "true")
    logging.raiseExceptions = False
    warnings.filterwarnings("ignore", message=LEAFSPEC_WARNING, category=FutureWarning)
    line_buffered_stdout()


def line_buffered_stdout() -> None:
    """Flush stdout at every newline when it is piped or redirected (a terminal already is)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and not sys.stdout.isatty():
        reconfigure(line_buffering=True)
