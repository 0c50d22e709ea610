"""A sweep's comparison in W&B: one "summary" run in the sweep's group.

Every run of a sweep logs to W&B on its own; the comparison (figures, verdicts, summary.json
and report.md) belongs to none of them. It goes to one extra run of ``job_type="summary"`` in
the same group, so the W&B UI shows the experiment as one group with its verdict beside its
runs. Mode as for the runs (online with an API key, offline without; ``WANDB_MODE`` wins).
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from alexnet_lab.overrides import shell_join
from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.derived import folder_records
from alexnet_lab.tracking.wandb_agent import group_name
from alexnet_lab.tracking.wandb_settings import wandb_mode

TABLE_COLUMNS: list[str | int] = [
    "setting",
    "arm",
    "seeds",
    "metric",
    "metric_mean",
    "top1_error_mean",
    "top5_error_mean",
    "train_val_gap_mean",
    "verdict",
]


AnyRecord = RunRecord | Mapping[str, Any]


def used_wandb(records: Sequence[AnyRecord]) -> bool:
    """Whether the sweep's runs logged to W&B (their resolved config has a wandb logger)."""
    return any("wandb" in _logger(RunRecord.coerce(r)) for r in records)


def _logger(record: RunRecord) -> dict[str, Any]:
    return dict(record.config.get("logger") or {})


def sweep_group(records: Sequence[AnyRecord], sweep_dir: Path) -> str:
    """The W&B group the sweep's runs joined (from their records), else the one they would."""
    runs = [RunRecord.coerce(r) for r in records]
    for run in runs:
        group = run.wandb.get("group")
        if group:
            return str(group)
    experiment = runs[0].experiment if runs else None
    return group_name(experiment, str(sweep_dir), True) or "sweep"


def verdict_rows(summary: dict[str, Any]) -> list[list[Any]]:
    """One table row per arm and setting, as summary.json holds them."""
    rows = []
    for setting in summary.get("settings", []):
        verdict = (setting.get("verdict") or {}).get("verdict", "-")
        for arm in setting.get("arms", []):
            rows.append(
                [
                    setting.get("label", "all runs"),
                    arm.get("arm"),
                    arm.get("n"),
                    summary.get("metric"),
                    arm.get("metric_mean"),
                    arm.get("top1_error_mean"),
                    arm.get("top5_error_mean"),
                    arm.get("train_val_gap_mean"),
                    verdict,
                ]
            )
    return rows


#: W&B's longest artifact name
ARTIFACT_NAME_MAX = 128


def artifact_name(group: str) -> str:
    """The report artifact's name for ``group``: W&B's characters, at most 128 of them.

    A longer one (a long sweep folder's name) keeps its start and ends in a hash of the whole
    name, so it stays the same for the same group and differs between groups.
    """
    name = re.sub(r"[^\w.-]", "_", f"report-{group}")
    if len(name) <= ARTIFACT_NAME_MAX:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f"{name[: ARTIFACT_NAME_MAX - len(digest) - 1]}-{digest}"


def log_sweep_summary(sweep_dir: Path) -> dict[str, str] | None:
    """Log a sweep's written report to W&B as one summary run; return where it went.

    Needs the report files (``build_report`` first). Returns the run's mode, folder and (when
    offline) the ``wandb sync`` command; never raises: a failure is a warning, because the
    report on disk is what matters.
    """
    sweep_dir = Path(sweep_dir)
    try:
        import wandb

        # here, not at the top: Lightning's logger module, which a sweep without W&B (its
        # report asks used_wandb first) never needs in the launcher's process
        from alexnet_lab.tracking.loggers import finish_wandb

        records = folder_records(sweep_dir)[0]
        summary = json.loads((sweep_dir / "summary.json").read_text())
        logger_cfg = _logger(records[0]).get("wandb") or {}
        group = sweep_group(records, sweep_dir)
        verdict = summary.get("verdict") or {}
        run = wandb.init(
            project=logger_cfg.get("project", "alexnet-lab"),
            entity=logger_cfg.get("entity"),
            group=group,
            job_type="summary",
            name=f"summary {group}",
            dir=str(sweep_dir),
            mode=wandb_mode(),  # type: ignore[arg-type]
            tags=[t for t in (summary.get("claim"), "summary") if t],
            config={
                "claim": summary.get("claim"),
                "arm_key": summary.get("arm_key"),
                "what_ran": summary.get("what_ran"),
                "sweep_dir": str(sweep_dir),
            },
            reinit="finish_previous",  # the job runs of the sweep are finished already
            # bounded as the runs' own start (alexnet_lab.tracking.loggers.wandb_logger)
            settings=wandb.Settings(init_timeout=float(logger_cfg.get("init_timeout", 30))),
        )
        for png in sorted(sweep_dir.glob("*.png")):
            run.log({png.stem: wandb.Image(str(png), caption=png.name)})
        run.log({"verdicts": wandb.Table(columns=TABLE_COLUMNS, data=verdict_rows(summary))})
        run.summary["verdict"] = verdict.get("verdict", "-")
        run.summary["reason"] = verdict.get("reason", "")
        artifact = wandb.Artifact(artifact_name(group), type="sweep-report")
        for name in ("summary.json", "report.md"):
            artifact.add_file(str(sweep_dir / name))
        run.log_artifact(artifact)
        return finish_wandb(exit_code=0)
    except Exception as exc:  # the files on disk stand; W&B is a copy
        warnings.warn(
            f"could not log the report of {sweep_dir} to W&B ({type(exc).__name__}: {exc}); "
            "retry with: " + shell_join(["alexnet-lab-report", "--wandb", str(sweep_dir)]),
            stacklevel=2,
        )
        return None
