"""Each stacked member's run record, written through the sequential path's own functions.

A member's ``record.json`` starts as :func:`alexnet_lab.run.record_builder.new_record` (under the
member's own Hydra config), gains its rows as ``RunRecorder`` adds them (``epochs_to_target``,
``is_not_learning``), and ends with :func:`alexnet_lab.run.record_builder.final_summary`, the W&B
run's finish (:func:`~alexnet_lab.tracking.loggers.finish_wandb`) and the console's outcome
line; so the sweep report cannot tell a stacked record from a sequential one. Stacked records add
``launcher: "stacked"`` and ``group_size``.

The member's loggers (W&B, CSV; :mod:`alexnet_lab.stacked.member_loggers`) are live, as a
sequential job's are: :func:`start` opens them, :func:`add_epoch` logs each row as it comes,
:func:`finish` closes them, so a diverged member's W&B run ends while the stack goes on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from alexnet_lab.console import print_run_outcome
from alexnet_lab.record.files import (
    RECORD_NAME,
    RunRecord,
    write_record,
)
from alexnet_lab.run.job import job_context
from alexnet_lab.run.record_builder import add_epoch_row, final_summary, new_record, now
from alexnet_lab.stacked.member_loggers import (
    MemberLoggers,
    close_loggers,
    log_epoch,
    log_tests,
    open_loggers,
)
from alexnet_lab.tracking.wandb_agent import group_name

LAUNCHER = "stacked"


def prepare_record(cfg: DictConfig, output_dir: Path, group_size: int) -> RunRecord:
    """The member's record before training (call with the member's Hydra config set)."""
    context, _ = job_context()
    record = new_record(cfg, output_dir, context)
    record.launcher, record.group_size = LAUNCHER, int(group_size)
    record.config = dict(OmegaConf.to_container(cfg, resolve=True))  # type: ignore[arg-type]
    record.wandb_group = group_name(record.experiment, str(context.sweep_dir or ""), True)
    return record


def save(record: RunRecord) -> None:
    """Write the record to its job folder."""
    write_record(Path(str(record.output_dir)) / RECORD_NAME, record)


def start(
    record: RunRecord, data: dict[str, Any], previous: list[dict[str, Any]], steps_per_epoch: int
) -> MemberLoggers:
    """Record what ``RunRecorder.on_fit_start`` does; open the member's loggers with its config.

    The record says running and gets the data and the global batch; the loggers (a W&B run)
    open as a sequential job's do at fit start. ``previous`` rows (a resumed member's) stay in
    the record; its loggers, like a resumed sequential job's, log only the epochs trained from
    now on.
    """
    record.status = "running"
    record.settings["global_batch_size"] = int(record.settings["batch_size"])
    record.data = data
    record.history = list(previous)
    save(record)
    configs = dict(record.config.get("logger") or {})  # resolved, as the job's own
    return open_loggers(record, configs, record.wandb_group, steps_per_epoch)


def add_epoch(
    record: RunRecord, row: dict[str, Any], chance: float, loggers: MemberLoggers | None = None
) -> None:
    """Append an epoch's row as ``RunRecorder.on_train_epoch_end`` does, save, log it live."""
    add_epoch_row(record, row, chance, int(record.not_learning_patience or 5))
    save(record)
    if loggers is not None:
        log_epoch(loggers, row)


def finish(
    record: RunRecord, tests: dict[str, dict[str, float]], loggers: MemberLoggers | None
) -> RunRecord:
    """Close the member's run: final summary, its loggers and W&B run, the saved record.

    ``loggers`` is what :func:`start` opened (None when it never got that far).
    """
    if record.status == "running":
        record.status = "interrupted"
        record.error = record.error or "interrupted during the run"
    tta = str(record.config["tta"]["name"])
    record.final = final_summary(record.history, tests, tta)
    exit_code = 0 if record.completed else 1
    if loggers is not None and tests:
        log_tests(loggers, tests, len(record.history))
    record.wandb = close_loggers(loggers, exit_code) if loggers is not None else {}
    record.finished_at = now()
    save(record)
    print_run_outcome(record, bool(record.config.get("verbose")))
    return record
