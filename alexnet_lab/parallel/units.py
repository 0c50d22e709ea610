"""The parallel launcher's work: units of jobs, largest first; DDP jobs kept apart; dead jobs.

A unit is what one worker takes from the queue at a time: a single job, or a slice of one
stackable group (``alexnet_lab.engines.stacked.grouping``) that the worker trains as the stacked
launcher would. A job whose trainer spans several devices (DDP) is not a unit: it needs every
device, so it runs after the queue in the launcher's own process.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: one job: its number in the sweep and its overrides
Job = tuple[int, list[str]]


@dataclass
class Unit:
    """Jobs one worker runs together: one job, or one stack (``stack`` true)."""

    number: int
    jobs: list[Job]
    stack: bool = False
    #: job numbers the worker has started and not yet ended
    started: set[int] = field(default_factory=set)
    ended: set[int] = field(default_factory=set)

    @property
    def unfinished(self) -> list[Job]:
        """The jobs of the unit that have not ended."""
        return [job for job in self.jobs if job[0] not in self.ended]


def is_ddp(trainer: Mapping[str, Any]) -> bool:
    """Whether a job's trainer config spans several devices or nodes (Lightning DDP)."""
    strategy = str(trainer.get("strategy") or "auto").lower()
    devices = trainer.get("devices", 1)
    if isinstance(devices, Sequence) and not isinstance(devices, str):
        count = len(devices)
    else:
        count = int(devices) if str(devices).lstrip("-").isdigit() else 1
    return "ddp" in strategy or count > 1 or int(trainer.get("num_nodes", 1) or 1) > 1


def make_units(jobs: Sequence[Job], workers: int, stack: bool) -> list[Unit]:
    """The queue of units, largest first (stable: equal sizes keep job order).

    Single jobs, or (``stack``) each stackable group cut into worker-sized slices, so that
    one group of many jobs still spreads over every worker.
    """
    if not stack:
        parts = [[job] for job in jobs]
    else:
        from alexnet_lab.engines.stacked.grouping import group_jobs, split

        per_worker = max(1, math.ceil(len(jobs) / max(1, workers)))
        parts = []
        for group in group_jobs([overrides for _, overrides in jobs]):
            parts += [[jobs[i] for i in chunk] for chunk in split(group, per_worker)]
    parts.sort(key=len, reverse=True)
    return [Unit(n, part, stack and len(part) > 1) for n, part in enumerate(parts)]


def fail_dead_job(output_dir: Path, config: Any, why: str) -> Any:
    """Record a job whose worker died under it as ``failed``; return the record.

    Its own record if it left one (the history kept), else a new one.
    """
    record = _job_record(output_dir, config)
    from alexnet_lab.run.session import RunSession

    output_dir.mkdir(parents=True, exist_ok=True)
    RunSession.save_ended(record, output_dir, failed=why)
    return record


def stopped_job(output_dir: Path, config: Any, why: str) -> Any:
    """The record of a job whose worker was stopped by a signal (it recorded ``interrupted``).

    Read from its folder; a record still saying ``running`` (none written yet, or the worker
    gone before it could write ``interrupted``) is said ``interrupted`` with ``why``, in memory,
    so the sweep's end still counts it.
    """
    record = _job_record(output_dir, config)
    if record.status == "running":
        return record.replace(status="interrupted", error=why)
    return record


def _job_record(output_dir: Path, config: Any) -> Any:
    """The job's own record if it left one, else a new one from its Hydra config."""
    from alexnet_lab.overrides import task_overrides
    from alexnet_lab.record.builder import now
    from alexnet_lab.record.files import RecordError, RunRecord, record_file

    path = record_file(output_dir)
    try:
        return RunRecord.load(path)
    except (RecordError, OSError):
        hc = config.hydra
        choices = {k: v for k, v in dict(hc.runtime.choices).items() if not k.startswith("hydra")}
        return RunRecord(
            status="running",
            overrides=task_overrides(list(hc.overrides.task)),
            choices=choices,
            experiment=choices.get("experiment"),
            output_dir=str(output_dir),
            record_path=str(path),
            started_at=now(),
        )
