"""Each stacked member's run record, written through the sequential path's own functions.

A member's ``metrics.json`` starts as :func:`alexnet_lab.job.new_record` (under the member's
own Hydra config), gains its rows as ``RunRecorder`` adds them (``epochs_to_target``,
``is_not_learning``), and ends with :func:`alexnet_lab.job.final_summary`, the W&B run's
finish (:func:`alexnet_lab.loggers.finish_wandb`) and the console summary; so the sweep
report cannot tell a stacked record from a sequential one. Stacked records add
``launcher: "stacked"`` and ``group_size``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from alexnet_lab.console import print_run_summary
from alexnet_lab.job import final_summary, new_record
from alexnet_lab.loggers import finish_wandb
from alexnet_lab.results.record import (
    RECORD_NAME,
    epochs_to_target,
    is_not_learning,
    write_record,
)
from alexnet_lab.wandb_sweep import group_name

LAUNCHER = "stacked"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def prepare_record(cfg: DictConfig, output_dir: Path, group_size: int) -> dict[str, Any]:
    """The member's record before training (call with the member's Hydra config set)."""
    record = new_record(cfg, output_dir)
    record["launcher"] = LAUNCHER
    record["group_size"] = int(group_size)
    record["config"] = OmegaConf.to_container(cfg, resolve=True)
    hc = HydraConfig.get()
    loggers = cfg.get("logger")
    record["_loggers"] = {
        "configs": OmegaConf.to_container(loggers, resolve=True) if loggers else {},
        "group": group_name(record["experiment"], str(hc.sweep.dir), True),
    }
    return record


def save(record: dict[str, Any]) -> None:
    """Write the record to its job folder (private fields left out)."""
    public = {k: v for k, v in record.items() if not k.startswith("_")}
    write_record(Path(record["output_dir"]) / RECORD_NAME, public)


def start(record: dict[str, Any], data: dict[str, Any], previous: list[dict[str, Any]]) -> None:
    """What ``RunRecorder.on_fit_start`` records: running, the data, the global batch."""
    record["status"] = "running"
    record["settings"]["global_batch_size"] = int(record["settings"]["batch_size"])
    record["data"] = data
    record["history"] = list(previous)
    save(record)


def add_epoch(record: dict[str, Any], row: dict[str, Any], chance: float) -> None:
    """Append an epoch's row as ``RunRecorder.on_train_epoch_end`` does, and save."""
    history = [r for r in record.get("history", []) if r["epoch"] < row["epoch"]]
    history.append(row)
    record["history"] = history
    record["epochs_to_target"] = epochs_to_target(history, record.get("target_error"))
    patience = int(record.get("not_learning_patience", 5))
    record["not_learning"] = is_not_learning(history, chance, patience)
    save(record)


def finish(
    record: dict[str, Any], tests: dict[str, dict[str, float]], steps_per_epoch: int
) -> dict[str, Any]:
    """Close the member's run: final summary, its loggers and W&B run, the saved record."""
    if record["status"] == "running":
        record["status"] = "interrupted"
        record.setdefault("error", "interrupted during the run")
    tta = str(record["config"]["tta"]["name"])
    record["final"] = final_summary(record["history"], tests, tta)
    replay_loggers(record, steps_per_epoch)
    record["wandb"] = finish_wandb(exit_code=0 if record["status"] == "completed" else 1)
    record["finished_at"] = _now()
    save(record)
    public = {k: v for k, v in record.items() if not k.startswith("_")}
    print_run_summary(public)
    return public


def replay_loggers(record: dict[str, Any], steps_per_epoch: int) -> None:
    """Log the member's config and epoch rows to its loggers (W&B, CSV) after training.

    The loggers are instantiated from the job's own ``logger`` config, with the W&B group,
    tags and name a sequential job gets. Members train together in one process, and
    Lightning's WandbLogger attaches to whichever W&B run is active, so each member's run is
    opened, filled with its epoch rows (at the step Lightning would log them) and finished
    in turn once the stack is done.
    """
    info = record.get("_loggers") or {}
    for name, logger_cfg in (info.get("configs") or {}).items():
        extra: dict[str, Any] = {}
        if name == "wandb":
            extra = {"group": info.get("group"), "tags": _tags(record), "name": _run_name(record)}
        logger = instantiate(logger_cfg, **extra)
        logger.log_hyperparams(record["config"])
        for row in record["history"]:
            metrics = {k: v for k, v in row.items() if isinstance(v, (int, float))}
            logger.log_metrics(metrics, step=int(row["epoch"]) * steps_per_epoch - 1)
        logger.finalize("success" if record["status"] == "completed" else "failed")


def _tags(record: dict[str, Any]) -> list[str]:
    tags = [record["claim"]] if record.get("claim") else []
    return tags + [o for o in record["overrides"] if not o.startswith(("data.root", "hydra"))][:20]


def _run_name(record: dict[str, Any]) -> str:
    return (" ".join(record["overrides"]) or "defaults")[:128]
