"""What the results page says about a sweep beyond its summary: machine and wall time.

Read from the run records (``RunRecord.machine``, ``history[].seconds``, ``started_at`` and
``finished_at``); records from before the machine field say ``not recorded``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from alexnet_lab.console import duration
from alexnet_lab.record.run_record import RunRecord

NOT_RECORDED = "not recorded"


def describe_machine(machine: dict[str, Any] | None) -> str:
    """The machine in a few words: its GPUs, or its CPU and threads; torch and Lightning."""
    if not machine:
        return NOT_RECORDED
    gpus = list(machine.get("gpus") or [])
    if gpus:
        where = " + ".join(f"{gpus.count(n)}x {n}" for n in dict.fromkeys(gpus))
    else:
        where = f"CPU {machine.get('cpu') or '?'}, {machine.get('cpu_count') or '?'} cores"
        if machine.get("torch_threads"):
            threads = int(machine["torch_threads"])
            where += f", {threads} torch thread{'s' * (threads != 1)}"
    versions = ", ".join(f"{k} {machine[k]}" for k in ("torch", "lightning") if machine.get(k))
    return f"{where} ({versions})" if versions else where


def gpu_names(records: list[RunRecord]) -> list[str]:
    """The GPU models the records trained on (none for CPU runs and older records)."""
    return list(dict.fromkeys(g for r in records for g in r.machine.get("gpus") or []))


def _time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def sweep_facts(records: list[RunRecord]) -> dict[str, Any]:
    """Machines (with run counts), seeds, training seconds, first start, last finish, GPUs, date."""
    runs = list({r.run_id: r for r in records}.values())
    machines = Counter(describe_machine(r.machine) for r in runs)
    seconds = sum(float(row.get("seconds") or 0.0) for r in runs for row in r.history)
    starts = [t for t in (_time(r.started_at) for r in runs) if t]
    ends = [t for t in (_time(r.finished_at) for r in runs) if t]
    first = min(starts) if starts else None
    last = max(ends) if ends else None
    return {
        "runs": len(runs),
        "machines": dict(machines),
        "seeds": sorted({int(r.seed) for r in runs if r.seed is not None}),
        "gpus": gpu_names(runs),
        "train_seconds": seconds,
        "first_start": first.isoformat() if first else None,
        "last_finish": last.isoformat() if last else None,
        "span_seconds": (last - first).total_seconds() if first and last else None,
        "date": first.date().isoformat() if first else None,
        "protocols": sorted({str(r.config["protocol"]) for r in runs if r.config.get("protocol")}),
    }


def machine_text(facts: dict[str, Any]) -> str:
    """The machines of a sweep, with how many runs each trained when there are several."""
    machines = facts["machines"]
    if len(machines) == 1:
        return next(iter(machines))
    return "; ".join(f"{m} ({n} runs)" for m, n in machines.items())


def machine_short(facts: dict[str, Any]) -> str:
    """A summary-table cell: the GPU and the date for GPU runs, else CPU or not recorded."""
    if facts["gpus"]:
        return f"GPU {' + '.join(facts['gpus'])} ({facts['date'] or 'date unknown'})"
    if set(facts["machines"]) == {NOT_RECORDED}:
        return NOT_RECORDED
    return "CPU" + (" (some runs not recorded)" if NOT_RECORDED in facts["machines"] else "")


def seeds_short(facts: dict[str, Any]) -> str:
    """A summary-table cell: how many seeds, and which (``3 (0, 1, 2)``)."""
    seeds = facts.get("seeds") or []
    return f"{len(seeds)} ({', '.join(map(str, seeds))})" if seeds else NOT_RECORDED


def wall_text(facts: dict[str, Any]) -> str:
    """The wall time: summed epoch seconds over the runs, and first start to last finish."""
    runs = facts["runs"]
    text = f"{duration(facts['train_seconds'])} of training (epoch seconds summed over "
    text += f"{runs} run{'s' * (runs != 1)})"
    if facts["span_seconds"] is not None:
        first, last = (facts[k].replace("T", " ")[:16] for k in ("first_start", "last_finish"))
        text += f"; {duration(facts['span_seconds'])} from first start ({first} UTC) to last "
        text += f"finish ({last} UTC)"
    return text
