"""Each stacked member's session and loggers.

A member's record is its :class:`~alexnet_lab.run.session.RunSession`'s, opened
(:func:`open_session`) from the member's own config and
:class:`~alexnet_lab.run.context.JobContext` by the session every run has. Stacked records
add ``launcher: "stacked"`` and ``group_size``.

The member's loggers (W&B, CSV; :mod:`alexnet_lab.engines.stacked.member_loggers`) are live:
:func:`start` opens them, :func:`add_epoch` logs each row as it comes, :func:`finish` closes
them, so a diverged member's W&B run ends while the stack goes on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from alexnet_lab.console import print_run_outcome
from alexnet_lab.engines.stacked.member_loggers import (
    MemberLoggers,
    close_loggers,
    log_epoch,
    log_tests,
    open_loggers,
)
from alexnet_lab.record.files import RunRecord
from alexnet_lab.run.context import JobContext
from alexnet_lab.run.resume import ResumePlan
from alexnet_lab.run.session import RunSession
from alexnet_lab.tracking.wandb_agent import group_name

LAUNCHER = "stacked"


def open_session(
    cfg: DictConfig,
    output_dir: Path,
    context: JobContext,
    plan: ResumePlan,
    datamodule: Any,
) -> RunSession:
    """The member's session, opened as every run's is; a resumed member's continues its record."""
    return RunSession.open(
        cfg,
        output_dir,
        context,
        plan=plan,
        launcher=LAUNCHER,
        wandb_group=group_name(context.experiment, str(context.sweep_dir or ""), True),
        num_classes=datamodule.num_classes,
    )


def start(session: RunSession, data: dict[str, Any], steps_per_epoch: int) -> MemberLoggers:
    """The member's session starts (its data; one process), opening its loggers.

    A resumed member's rows stay in its record; its loggers log only the epochs trained from
    now on.
    """

    def opening(record: RunRecord) -> MemberLoggers:
        configs = dict(record.config.get("logger") or {})  # resolved by RunSession.open
        return open_loggers(record, configs, record.wandb_group, steps_per_epoch)

    opened = session.start(data, processes=1, open_loggers=opening)
    assert opened is not None
    return opened


def add_epoch(session: RunSession, row: dict[str, Any], loggers: MemberLoggers | None) -> None:
    """The member's epoch into its session (which writes it), then to its loggers, live."""
    session.add_epoch(row)
    if loggers is not None:
        log_epoch(loggers, row)


def finish(
    session: RunSession,
    tests: dict[str, dict[str, float]],
    loggers: MemberLoggers | None,
    completed: bool,
) -> RunRecord:
    """Close the member's run: its session (the saved record), which ends its loggers.

    ``loggers`` is what :func:`start` opened (None when it never got that far);
    ``completed``: the member trained to its end and was tested (``tests``).
    """
    record = session.record
    if loggers is not None and tests:
        log_tests(loggers, tests, len(record.history))
    tta = str(record.config["tta"]["name"])
    if completed:
        session.finish(tests, tta)

    def finish_loggers(ended_well: bool) -> tuple[dict[str, str], None]:
        return (close_loggers(loggers, 0 if ended_well else 1) if loggers else {}), None

    session.close(tta, finish_loggers)  # still running when the stack ended: interrupted
    print_run_outcome(record, bool(record.config.get("verbose")))
    return record
