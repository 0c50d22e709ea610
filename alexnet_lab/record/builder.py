"""The run record's layout: what ran (before training) and how it ended (after testing).

The record is built here and nowhere else, as a typed :class:`RunRecord` (the one contract
between training and results), from plain values: the run's session
(:class:`alexnet_lab.run.session.RunSession`) opens every run with :func:`new_record` and
ends it with :func:`final_summary`; :mod:`alexnet_lab.record.files` writes it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from alexnet_lab.overrides import task_overrides
from alexnet_lab.record.files import RECORD_NAME, RunRecord


def now() -> str:
    """The time now, UTC, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


#: the paper switches a model may lack (models/catalog.py), recorded only where it has them
OPTIONAL_SWITCHES = ("norm", "pooling", "dropout", "towers")


def model_settings(cfg: DictConfig, switches: Collection[str] | None) -> dict[str, Any]:
    """The model and the paper switches it has (``switches``; None: a model not registered).

    A switch the model lacks (convnet4's dropout and towers) is no setting of the run, so a
    report never lists it as held fixed. An unregistered model fails at build time, with its
    own message; until then every switch is recorded.
    """
    having = set(OPTIONAL_SWITCHES if switches is None else switches)
    settings = {"model": cfg.model.name, "activation": cfg.activation.name}
    settings.update({k: cfg[k].name for k in OPTIONAL_SWITCHES if k in having})
    return settings


def new_record(
    cfg: DictConfig,
    output_dir: Path,
    *,
    overrides: Sequence[str],
    choices: Mapping[str, str | None],
    switches: Collection[str] | None,
    machine: Mapping[str, Any],
) -> RunRecord:
    """The run record before training: what ran, with which settings, on which machine.

    ``overrides`` and ``choices``: the job's (Hydra's own groups left out here);
    ``switches``: the paper switches the model has (:func:`model_settings`).
    """
    choices = {k: v for k, v in choices.items() if not k.startswith("hydra")}
    report = OmegaConf.to_container(cfg.report, resolve=True)
    return RunRecord(
        choices=choices,
        overrides=task_overrides(list(overrides)),
        seed=int(cfg.seed),
        claim=cfg.claim,
        experiment=choices.get("experiment"),
        target_error=cfg.target_error,
        not_learning_patience=int(cfg.not_learning_patience),
        report={str(k): v for k, v in report.items()} if isinstance(report, dict) else {},
        settings={
            **model_settings(cfg, switches),
            "augmentation": cfg.augmentation.name,
            "tta": cfg.tta.name,
            "init": cfg.init.name,
            "data": cfg.data.name,
            "scale": cfg.data.scale,
            "lr": float(cfg.optim.lr),
            "weight_decay": float(cfg.optim.weight_decay),
            "schedule": cfg.optim.schedule,
            "batch_size": int(cfg.data.batch_size),
            "max_epochs": int(cfg.trainer.max_epochs),
        },
        machine=dict(machine),
        status="running",
        output_dir=str(output_dir),
        record_path=str(output_dir / RECORD_NAME),
        started_at=now(),
    )


def final_summary(
    history: list[dict[str, Any]],
    tests: Mapping[str, Mapping[str, float]],
    tta: str = "center",
) -> dict[str, Any]:
    """Last and best epoch values and the test errors of the final weights.

    ``tests`` maps each test view (``center``, ``ten_crop``) to Lightning's test results;
    ``final.test`` is the configured view's (``tta``), ``final.tests`` holds every view.
    Validation always uses the centre view (``final.val_tta``).
    """
    final: dict[str, Any] = {}
    if history:
        final["last"] = dict(history[-1])
        with_val = [row for row in history if "val_error" in row]
        if with_val:
            best = min(with_val, key=lambda row: row["val_error"])
            final["best"] = {
                k: best[k] for k in ("epoch", "val_error", "val_top5_error") if k in best
            }
        final["best_train_error"] = min(
            row["train_error"] for row in history if "train_error" in row
        )
    final["val_tta"] = "center"
    views = {
        view: {
            "top1_error": float(tested["test_error"]),
            "top5_error": float(tested["test_top5_error"]),
            "tta": view,
        }
        for view, tested in tests.items()
        if tested
    }
    if tta in views:
        final["test"] = views[tta]
    if len(views) > 1:
        final["tests"] = views
    return final
