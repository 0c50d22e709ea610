"""Where the parallel launcher pays: wall time of one sweep under ``basic`` and ``parallel``.

    python bench/launcher_breakeven.py                      # jobs 2,4,8,16 x epochs 1,3,6
    python bench/launcher_breakeven.py --jobs 4,16 --epochs 1 --repeats 3
    python bench/launcher_breakeven.py --quick              # one small cell: does it run?

Each cell is one ``alexnet-lab -m`` sweep of N jobs (``seed=0..N-1``) of convnet4 on synthetic
data (``--train-size`` images, ``--epochs`` epochs, no logger, no progress bar), timed from
the command's start to its end as a user sees it (start-up, every record, the report), once
with ``hydra/launcher=basic`` (one job after another, one process) and once with
``hydra/launcher=parallel`` (its CPU default: ``hydra.launcher.cpu_workers`` workers, each
with its share of the cores). The two run alternately, ``--repeats`` times each, and the
median counts. Printed: a table of both times and their ratio (parallel / basic: below 1 the
parallel launcher pays), and for each run length the smallest job count where it pays: the
break-even that ``hydra/launcher=auto`` can choose by.

Timings mean something only on a quiet machine: the load average before and after is printed
with the table, and a cell is marked when the load was above the core count.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alexnet_lab.run.machine import cpu_model  # noqa: E402  (torch-free)

LAUNCHERS = ("basic", "parallel")


def machine() -> str:
    """The CPU model and its core count (read without torch)."""
    return f"{cpu_model()}, {os.cpu_count()} cores"


def load() -> float:
    """The one-minute load average (0 where the system gives none)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def sweep(args: argparse.Namespace, jobs: int, epochs: int) -> list[str]:
    """The overrides of one cell's sweep."""
    return [
        "-m",
        "data=synthetic",
        f"data.train_size={args.train_size}",
        f"data.val_size={args.val_size}",
        "model=convnet4",
        "norm=none",
        f"trainer.max_epochs={epochs}",
        "logger=none",
        "callbacks=none",
        "trainer.enable_progress_bar=false",
        f"seed={','.join(str(s) for s in range(jobs))}",
    ]


def timed(args: argparse.Namespace, launcher: str, jobs: int, epochs: int, where: Path) -> float:
    """Wall seconds of one sweep under ``launcher``; exits loudly when the sweep fails."""
    folder = Path(tempfile.mkdtemp(prefix=f"{launcher}-", dir=where))
    command = [
        sys.executable,
        "-m",
        "alexnet_lab",
        *sweep(args, jobs, epochs),
        f"hydra/launcher={launcher}",
        f"hydra.sweep.dir={folder / 'sweep'}",
    ]
    env = {**os.environ, "WANDB_MODE": "offline", "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def cell(args: argparse.Namespace, jobs: int, epochs: int, where: Path) -> dict[str, float]:
    """Median wall seconds of each launcher for one cell, the two alternating."""
    times: dict[str, list[float]] = {name: [] for name in LAUNCHERS}
    loads = [load()]
    for i in range(args.repeats):
        order = LAUNCHERS if i % 2 == 0 else LAUNCHERS[::-1]
        for name in order:
            times[name].append(timed(args, name, jobs, epochs, where))
    loads.append(load())
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {**medians, "load": max(loads)}


def breakeven(rows: dict[tuple[int, int], dict[str, float]], epochs: int) -> str:
    """From which job count on (every larger count tried included) parallel beats basic."""
    counts = sorted(j for j, e in rows if e == epochs)
    pays = [rows[j, epochs]["parallel"] < rows[j, epochs]["basic"] for j in counts]
    start = len(pays)
    while start > 0 and pays[start - 1]:
        start -= 1
    if start == len(pays):
        return "pays at none of the job counts tried"
    return f"pays from {counts[start]} jobs on"


def table(rows: dict[tuple[int, int], dict[str, float]]) -> str:
    """The cells as a Markdown table, then the break-even per run length."""
    busy = (os.cpu_count() or 1) * 1.0
    lines = [
        "| jobs | epochs | basic (s) | parallel (s) | parallel / basic | load |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for (jobs, epochs), r in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        mark = " (busy)" if r["load"] > busy else ""
        lines.append(
            f"| {jobs} | {epochs} | {r['basic']:.1f} | {r['parallel']:.1f} | "
            f"{r['parallel'] / r['basic']:.2f} | {r['load']:.1f}{mark} |"
        )
    lines.append("")
    for epochs in sorted({e for _, e in rows}):
        said = breakeven(rows, epochs)
        lines.append(f"- {epochs} epoch(s) per run: the parallel launcher {said}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Time every cell and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="2,4,8,16", help="job counts, comma-separated")
    parser.add_argument("--epochs", default="1,3,6", help="epochs per run, comma-separated")
    parser.add_argument("--train-size", type=int, default=2048)
    parser.add_argument("--val-size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each launcher per cell")
    parser.add_argument(
        "--quick", action="store_true", help="one small cell (2 jobs, 1 epoch, 256 images, once)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.jobs, args.epochs, args.train_size, args.val_size, args.repeats = "2", "1", 256, 128, 1
    job_counts = [int(v) for v in args.jobs.split(",")]
    run_lengths = [int(v) for v in args.epochs.split(",")]
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{when}, {machine()}; load average {load():.1f} at the start", flush=True)
    rows: dict[tuple[int, int], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="launcher-breakeven-") as where:
        for epochs in run_lengths:
            for jobs in job_counts:
                rows[jobs, epochs] = cell(args, jobs, epochs, Path(where))
                r = rows[jobs, epochs]
                print(
                    f"{jobs} jobs x {epochs} epoch(s): basic {r['basic']:.1f} s, "
                    f"parallel {r['parallel']:.1f} s",
                    flush=True,
                )
    print()
    print(table(rows))
    print(f"\nload average {load():.1f} at the end")


if __name__ == "__main__":
    main()
