"""A stacked member's own loggers (W&B, CSV), open while the stack trains.

A member logs as its sequential job would: its loggers are instantiated from the job's own
``logger`` config (the W&B run with the group, tags and name of
:func:`~.tracking.loggers.wandb_run_names`), opened with the member's config when the stack
starts, given each epoch's row as soon as it is recorded (at the step Lightning would log it,
``epoch * steps_per_epoch - 1``) and closed when the member ends: its W&B run is finished with
the member's exit code, so a diverged member's run ends while its neighbours train on.

The members train in one process, so their W&B runs are open at the same time. Each is
created with ``reinit="create_new"``: W&B gives it its own ``Run`` and leaves ``wandb.run``
unset, so no member logs into another's run, and a later sequential job in the same process
cannot log into a member's.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from hydra.utils import instantiate
from pytorch_lightning.loggers import Logger, WandbLogger

from alexnet_lab.record.files import RunRecord
from alexnet_lab.tracking.loggers import finish_wandb, logger_options

#: W&B's ``reinit`` for a run beside other active runs (not ``wandb.run``; W&B >= 0.19)
CONCURRENT_RUN = "create_new"


@dataclass
class MemberLoggers:
    """The open loggers of one member and the optimizer steps of one of its epochs."""

    loggers: list[Logger] = field(default_factory=list)
    steps_per_epoch: int = 1


def open_loggers(
    record: RunRecord, configs: dict[str, Any], group: str | None, steps_per_epoch: int
) -> MemberLoggers:
    """Instantiate the member's loggers and give them its config (a W&B run opens now).

    ``configs`` is the job's resolved ``logger`` config, completed as a sequential run's
    (:func:`alexnet_lab.tracking.loggers.logger_options`). If one logger cannot open, those already
    open are closed (failed) before the error goes on.
    """
    opened = MemberLoggers(steps_per_epoch=int(steps_per_epoch))
    try:
        for name, logger_cfg in configs.items():
            extra = logger_options(name, logger_cfg, str(record.output_dir), record, group)
            if name == "wandb":
                _check_no_active_run()
                extra["reinit"] = CONCURRENT_RUN
            logger = instantiate(logger_cfg, **extra)
            opened.loggers.append(logger)
            logger.log_hyperparams(record.config)  # a WandbLogger creates its run here
            logger.save()
    except BaseException:
        with contextlib.suppress(Exception):  # the error that stopped the opening goes on
            close_loggers(opened, exit_code=1)
        raise
    return opened


def _check_no_active_run() -> None:
    """Refuse to open a member's W&B logger while a run is active: it would log into that run.

    Lightning's WandbLogger reuses ``wandb.run`` when one is set instead of creating a run.
    """
    import wandb

    if wandb.run is not None:
        raise RuntimeError(
            f"the W&B run {wandb.run.id} is still active, and a stacked member's W&B logger "
            "would log into it; finish it (wandb.finish()) before the stack starts"
        )


def log_epoch(opened: MemberLoggers, row: dict[str, Any]) -> None:
    """Log an epoch's numeric values at the step Lightning logs the epoch's end."""
    metrics = {k: v for k, v in row.items() if isinstance(v, (int, float))}
    step = int(row["epoch"]) * opened.steps_per_epoch - 1
    for logger in opened.loggers:
        logger.log_metrics(metrics, step=step)
        logger.save()


def log_tests(opened: MemberLoggers, tests: dict[str, dict[str, float]], epochs: int) -> None:
    """Log each test view's errors as ``trainer.test`` does: after training, view by view.

    Lightning logs a test at the step training ended on (``epochs * steps_per_epoch``); a
    later view's values follow an earlier one's, as in a sequential run with two views.
    """
    step = int(epochs) * opened.steps_per_epoch
    for values in tests.values():
        metrics = {k: float(v) for k, v in values.items() if isinstance(v, (int, float))}
        for logger in opened.loggers:
            logger.log_metrics(metrics, step=step)
            logger.save()


def close_loggers(opened: MemberLoggers, exit_code: int) -> dict[str, str]:
    """Finalize every logger and finish the member's W&B run with ``exit_code``.

    Returns the W&B run's info for the record's ``wandb`` field (``{}`` without a W&B
    logger), as :func:`~alexnet_lab.tracking.loggers.finish_wandb` gives it. Every W&B run is
    finished even when a logger's ``finalize`` fails (that error then goes on).
    """
    info: dict[str, str] = {}
    status = "success" if exit_code == 0 else "failed"
    loggers, opened.loggers = opened.loggers, []
    error: BaseException | None = None
    for logger in loggers:
        try:
            logger.finalize(status)
        except BaseException as exc:  # the runs are finished first
            error = error or exc
        if isinstance(logger, WandbLogger):
            info = finish_wandb(exit_code, run=logger.experiment) or info
    if error is not None:
        raise error
    return info
