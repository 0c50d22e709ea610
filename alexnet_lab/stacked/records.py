"""Each stacked member's run record, written through the sequential path's own functions.

A member's ``metrics.json`` starts as :func:`alexnet_lab.record_builder.new_record` (under the
member's own Hydra config), gains its rows as ``RunRecorder`` adds them (``epochs_to_target``,
``is_not_learning``), and ends with :func:`alexnet_lab.record_builder.final_summary`, the W&B
run's finish (:func:`alexnet_lab.loggers.finish_wandb`) and the console's outcome line; so the sweep
report cannot tell a stacked record from a sequential one. Stacked records add
``launcher: "stacked"`` and ``group_size``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from alexnet_lab.console import print_run_outcome
from alexnet_lab.job import job_context
from alexnet_lab.loggers import finish_wandb, wandb_run_names
from alexnet_lab.record_builder import add_epoch_row, final_summary, new_record, now
from alexnet_lab.results.record import (
    RECORD_NAME,
    RunRecord,
    write_record,
)
from alexnet_lab.wandb_sweep import group_name

LAUNCHER = "stacked"
#: the member's logger configs and W&B group, kept beside the record until it is closed
_LOGGERS = "_loggers"


def prepare_record(cfg: DictConfig, output_dir: Path, group_size: int) -> RunRecord:
    """The member's record before training (call with the member's Hydra config set)."""
    context, _ = job_context()
    record = new_record(cfg, output_dir, context)
    record.extra.update(launcher=LAUNCHER, group_size=int(group_size))
    record.config = dict(OmegaConf.to_container(cfg, resolve=True))  # type: ignore[arg-type]
    loggers = cfg.get("logger")
    record.extra[_LOGGERS] = {
        "configs": OmegaConf.to_container(loggers, resolve=True) if loggers else {},
        "group": group_name(record.experiment, str(context.sweep_dir or ""), True),
    }
    return record


def save(record: RunRecord) -> None:
    """Write the record to its job folder (the private logger field left out)."""
    extra = {k: v for k, v in record.extra.items() if k != _LOGGERS}
    write_record(Path(str(record.output_dir)) / RECORD_NAME, record.replace(extra=extra))


def start(record: RunRecord, data: dict[str, Any], previous: list[dict[str, Any]]) -> None:
    """What ``RunRecorder.on_fit_start`` records: running, the data, the global batch."""
    record.status = "running"
    record.settings["global_batch_size"] = int(record.settings["batch_size"])
    record.data = data
    record.history = list(previous)
    save(record)


def add_epoch(record: RunRecord, row: dict[str, Any], chance: float) -> None:
    """Append an epoch's row as ``RunRecorder.on_train_epoch_end`` does, and save."""
    add_epoch_row(record, row, chance, int(record.not_learning_patience or 5))
    save(record)


def finish(
    record: RunRecord, tests: dict[str, dict[str, float]], steps_per_epoch: int
) -> RunRecord:
    """Close the member's run: final summary, its loggers and W&B run, the saved record."""
    if record.status == "running":
        record.status = "interrupted"
        record.error = record.error or "interrupted during the run"
    tta = str(record.config["tta"]["name"])
    record.final = final_summary(record.history, tests, tta)
    replay_loggers(record, steps_per_epoch)
    record.wandb = finish_wandb(exit_code=0 if record.completed else 1) or {}
    record.finished_at = now()
    save(record)
    print_run_outcome(record, bool(record.config.get("verbose")))
    return record


def replay_loggers(record: RunRecord, steps_per_epoch: int) -> None:
    """Log the member's config and epoch rows to its loggers (W&B, CSV) after training.

    The loggers are instantiated from the job's own ``logger`` config, with the W&B group,
    tags and name a sequential job gets. Members train together in one process, and
    Lightning's WandbLogger attaches to whichever W&B run is active, so each member's run is
    opened, filled with its epoch rows (at the step Lightning would log them) and finished
    in turn once the stack is done.
    """
    info = record.extra.get(_LOGGERS) or {}
    for name, logger_cfg in (info.get("configs") or {}).items():
        extra: dict[str, Any] = {}
        if logger_cfg.get("save_dir", "") is None:  # as train(): the run's own folder
            extra["save_dir"] = str(record.output_dir)
        if name == "wandb":
            extra.update(wandb_run_names(record, info.get("group")))
        logger = instantiate(logger_cfg, **extra)
        logger.log_hyperparams(record.config)
        for row in record.history:
            metrics = {k: v for k, v in row.items() if isinstance(v, (int, float))}
            logger.log_metrics(metrics, step=int(row["epoch"]) * steps_per_epoch - 1)
        logger.finalize("success" if record.completed else "failed")
