"""The run record ``record.json``: written after every epoch, read by the sweep report.

Earlier versions named the file ``metrics.json``; such records are still found and read, and
the next write of the run moves its record to the current name.

:class:`RunRecord` (``run_record.py``, re-exported here) is the record's type; the functions
below write and find records on disk and compute the values training stores in them.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from alexnet_lab.record.atomic import atomic_path, file_mode
from alexnet_lab.record.run_record import FORMAT, RecordError, RunRecord

__all__ = [
    "FORMAT",
    "OLD_RECORD_NAMES",
    "RECORD_NAME",
    "STATUSES",
    "RecordError",
    "RunRecord",
    "chance_error",
    "epochs_to_target",
    "file_mode",
    "is_not_learning",
    "read_records",
    "holds_records",
    "record_file",
    "record_paths",
    "write_record",
]

#: the run record's file, in the run's folder
RECORD_NAME = "record.json"
#: what earlier versions named it: still read, and replaced by RECORD_NAME at the next write
OLD_RECORD_NAMES = ("metrics.json",)
#: completed | diverged (loss became NaN/inf) | interrupted | failed; ``running`` while it runs
#: (a record left at ``running`` belongs to a process that was killed).
STATUSES = ("running", "completed", "diverged", "interrupted", "failed")


def write_record(path: Path, record: RunRecord | dict[str, Any]) -> None:
    """Write ``record`` (a :class:`RunRecord` or its plain dict) as JSON atomically.

    Atomically: a reader never sees half a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = record.to_dict() if isinstance(record, RunRecord) else record
    with atomic_path(path) as tmp, tmp.open("w") as fh:
        json.dump(_finite(data), fh, indent=2)
    if path.name == RECORD_NAME:  # a run an earlier version started: one record per folder
        for old in OLD_RECORD_NAMES:
            (path.parent / old).unlink(missing_ok=True)


def record_file(folder: Path) -> Path:
    """The run record in ``folder``: ``record.json``, else an earlier version's name for it.

    Where there is none yet: ``folder/record.json``, where it will be written.
    """
    for name in (RECORD_NAME, *OLD_RECORD_NAMES):
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    return Path(folder) / RECORD_NAME


def record_paths(sweep_dir: Path) -> list[Path]:
    """Every run record below ``sweep_dir``, in job order (natural sort of the path).

    One per folder: :func:`record_file`'s choice where a folder holds both names.
    """
    found: dict[Path, Path] = {}
    for name in reversed((RECORD_NAME, *OLD_RECORD_NAMES)):  # the current name wins
        for path in Path(sweep_dir).rglob(name):
            found[path.parent] = path
    return sorted(found.values(), key=lambda p: _natural_key(str(p)))


def holds_records(folder: Path) -> bool:
    """Whether any run record (of any version's name) lies below ``folder``."""
    return any(next(Path(folder).rglob(name), None) for name in (RECORD_NAME, *OLD_RECORD_NAMES))


def read_records(sweep_dir: Path) -> tuple[list[RunRecord], list[RecordError]]:
    """The sweep's readable records, and a :class:`RecordError` for each unreadable one."""
    records, unreadable = [], []
    for path in record_paths(sweep_dir):
        try:
            records.append(RunRecord.load(path))
        except RecordError as exc:
            unreadable.append(exc)
    return records, unreadable


def epochs_to_target(history: Iterable[dict[str, Any]], target: float | None) -> int | None:
    """The first epoch (1-based) whose running training error is at or below ``target``."""
    if target is None:
        return None
    for row in history:
        err = row.get("train_error")
        if err is not None and err <= target:
            return int(row["epoch"])
    return None


def chance_error(labels: Sequence[int], num_classes: int) -> float:
    """The error of always predicting the training set's most frequent class.

    This, not ``1 - 1/num_classes``, is where a collapsed net (one class for every input)
    sits on a set whose classes are not exactly balanced.
    """
    counts = Counter(int(label) for label in labels)
    if not counts:
        return 1.0 - 1.0 / max(num_classes, 1)
    return 1.0 - max(counts.values()) / sum(counts.values())


def is_not_learning(
    history: list[dict[str, Any]], chance: float, patience: int, margin: float = 0.02
) -> bool:
    """True when a run of at least ``patience`` epochs sat at chance level, at any point.

    An epoch is at chance while its running training error is within ``margin`` of ``chance``
    (the majority-class error, :func:`chance_error`) or above it. Once ``patience`` epochs
    have run, the run is not learning when ``patience`` consecutive epochs were at chance
    (from the start, or after a collapse mid-run), or when its latest epoch is at chance (it
    ends collapsed, however briefly). A run shorter than ``patience`` epochs is never flagged,
    and one that starts at chance and then learns is not either, however long its start.
    """
    if len(history) < max(patience, 1) or chance <= 0:
        return False
    at_chance = [row["train_error"] >= chance - margin for row in history]
    if at_chance[-1]:
        return True
    learnt = at_chance.index(False)  # a slow start, however long, is not a collapse
    streak = 0
    for flag in at_chance[learnt:]:
        streak = streak + 1 if flag else 0
        if streak >= patience:
            return True
    return False


def _natural_key(text: str) -> list[Any]:
    import re

    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def strict_json(data: Any) -> str:
    """``data`` as standard JSON text, readable by any JSON reader.

    NaN and infinities become null; ``allow_nan=False`` enforces that none is left.
    """
    return json.dumps(_nulls(data), indent=2, allow_nan=False)


def _nulls(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _nulls(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nulls(v) for v in value]
    return value


def _finite(value: Any) -> Any:
    """Replace NaN/inf (not valid JSON) by strings so the record stays readable everywhere."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
