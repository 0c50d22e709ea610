"""Where a sweep's wall time went, read from its run records: start, runs, between runs, end.

``python bench/sweep.py`` prints it under each way's wall time. From the command's start and
end (this script's clock) and each record's ``started_at``/``finished_at`` (whole seconds,
so each run's figures are within a second) and its epochs' ``seconds``:

- start: from the command's start to its first run's start (the launcher's imports and
  composition, the workers' start, the first job's imports and composition);
- epochs: the runs' epochs (training and validation), summed over the runs;
- in runs, besides epochs: the rest of the runs' own time (data, model, trainer, test, record);
- between runs: the workers' time between their runs (a job's composition and imports
  before its record opens, the hand-over of the next job, a worker idle at the tail);
- end: from the last run's end to the command's end (the report, the workers' exits).

The middle three are worker-seconds: over ``workers`` workers they add up to
``workers x (wall - start - end)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from alexnet_lab.record.files import read_records
from alexnet_lab.record.run_record import RunRecord

#: the parallel launcher's worker logs, one per worker (hydra_plugins' LOG_DIR)
WORKER_LOGS = ".parallel"


def _time(stamp: str | None) -> float | None:
    return datetime.fromisoformat(stamp).timestamp() if stamp else None


def parts(
    records: Sequence[RunRecord], workers: int, began: float, ended: float
) -> dict[str, float]:
    """The sweep's wall seconds by part (see the module's docstring); {} without timed runs.

    ``began``/``ended``: the command's start and end (Unix seconds).
    """
    spans = []
    for record in records:
        start, finish = _time(record.started_at), _time(record.finished_at)
        if start is not None and finish is not None:
            spans.append((start, finish, sum(row.get("seconds", 0.0) for row in record.history)))
    if not spans:
        return {}
    start = min(s for s, _, _ in spans) - began
    end = ended - max(f for _, f, _ in spans)
    in_runs = sum(f - s for s, f, _ in spans)
    epochs = sum(e for _, _, e in spans)
    worker_seconds = workers * (ended - began - start - end)
    return {
        "wall": round(ended - began, 1),
        "workers": workers,
        "runs": len(spans),
        "start": round(start, 1),
        "epochs": round(epochs, 1),
        "in runs, besides epochs": round(in_runs - epochs, 1),
        "between runs": round(worker_seconds - in_runs, 1),
        "end": round(end, 1),
    }


def breakdown(sweep_dir: Path, began: float, ended: float) -> dict[str, float]:
    """:func:`parts` of the sweep in ``sweep_dir`` (its workers: its worker logs, else one)."""
    records, _ = read_records(sweep_dir)
    workers = len(list((sweep_dir / WORKER_LOGS).glob("worker-*.log"))) or 1
    return parts(records, workers, began, ended)


def line(found: dict[str, float]) -> str:
    """One line of the parts: the fixed ones in seconds, the workers' in worker-seconds."""
    if not found:
        return "no timed runs"
    runs, workers = int(found["runs"]), int(found["workers"])
    return (
        f"start {found['start']:.0f} s | {runs} runs on {workers} worker(s), worker-s: epochs "
        f"{found['epochs']:.0f}, in runs besides epochs {found['in runs, besides epochs']:.0f}, "
        f"between runs {found['between runs']:.0f} | end {found['end']:.0f} s"
    )
