"""Terminal output with rich: error paragraphs and each run's outcome.

A run ends in one line (:func:`run_line`) unless ``verbose=true``, which prints the full
table (:func:`print_run_summary`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from alexnet_lab.errors import CommandEnd
from alexnet_lab.overrides import shown_overrides
from alexnet_lab.record.files import RunRecord

#: Piped output (a log file, ``| tee``) has no terminal width, and rich would fold the sweep's
#: table into 80 columns, four characters a cell; a log reads better wide. COLUMNS still wins.
PIPED_WIDTH = 160


def _width(stream: TextIO) -> int | None:
    """The console width: the terminal's (or COLUMNS), else :data:`PIPED_WIDTH` when piped."""
    if os.environ.get("COLUMNS") or stream.isatty():
        return None
    return PIPED_WIDTH


console = Console(stderr=False, soft_wrap=False, width=_width(sys.stdout))
err_console = Console(stderr=True, width=_width(sys.stderr))


def print_error(title: str, paragraph: str) -> None:
    """Print one clear paragraph (no traceback) to standard error."""
    err_console.print(
        Panel(
            escape(paragraph), title=f"[bold red]{escape(title)}", expand=False, border_style="red"
        )
    )


def say_end(end: CommandEnd) -> int:
    """Print a command's ending paragraph (if it has one); return its exit status."""
    if end.paragraph:
        print_error(end.title, end.paragraph)
    return end.status


def print_warning(title: str, paragraph: str) -> None:
    """Print one paragraph of advice (the command goes on) to standard error."""
    err_console.print(
        Panel(
            escape(paragraph),
            title=f"[bold yellow]{escape(title)}",
            expand=False,
            border_style="yellow",
        )
    )


def duration(seconds: float, sep: str = " ") -> str:
    """``1h 02m``, ``4m 05s`` or ``12s`` (``sep=""``: ``1h02m``, for a crowded line)."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{sep}{minutes:02d}m"
    return f"{minutes}m{sep}{secs:02d}s" if minutes else f"{secs}s"


def _pct(value: Any) -> str:
    return f"{100 * value:.2f}%" if isinstance(value, (int, float)) else "-"


def print_run_outcome(record: RunRecord | Mapping[str, Any], verbose: bool = False) -> None:
    """The run's outcome: one line, or the full table when ``verbose``."""
    if verbose:
        print_run_summary(record)
    else:
        console.print(escape(run_line(record)), soft_wrap=True, highlight=False)


def run_line(record: RunRecord | Mapping[str, Any]) -> str:
    """One line per run: what varies, status, epochs run and to target, last errors, seconds.

    In a sweep the line names only the overrides that differ between its jobs; a run refused
    before its first epoch (an invalid value, missing data: a failure with no traceback) says
    that it did not start.
    """
    run = RunRecord.coerce(record)
    named = " ".join(shown_overrides(list(run.overrides))) or "(defaults)"
    if run.status == "failed" and not run.history and run.traceback is None:
        return f"{named} | did not start"
    parts = [named, run.status or "-"]
    if run.not_learning:
        parts[-1] += ", not learning"
    parts.append(f"epochs {len(run.history)}")
    if run.target_error is not None:
        reached = run.epochs_to_target
        parts.append(
            f"to {100 * run.target_error:.0f}%: {reached if reached is not None else 'not reached'}"
        )
    if run.history:
        parts.append(f"train {_pct(run.last('train_error'))} val {_pct(run.last('val_error'))}")
        seconds = sum(float(row.get("seconds", 0.0)) for row in run.history)
        parts.append(f"{seconds:.1f} s")
    return " | ".join(parts)


def print_run_summary(record: RunRecord | Mapping[str, Any]) -> None:
    """A rich table with the run's outcome: status, errors, epochs to target, speed, files.

    ``record`` is a :class:`RunRecord` or the plain dict training writes.
    """
    run = RunRecord.coerce(record)
    table = Table(title=escape(f"run {run.output_dir or ''}"), show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    colour = {"completed": "green", "diverged": "red", "failed": "red"}.get(run.status, "yellow")
    table.add_row("status", f"[{colour}]{run.status}[/]")
    table.add_row("overrides", escape(" ".join(run.overrides) or "(defaults)"))
    table.add_row("epochs run", str(len(run.history)))
    if run.history:
        table.add_row("running train error (last epoch)", _pct(run.last("train_error")))
        table.add_row(
            "val top-1 / top-5 error (last)",
            f"{_pct(run.last('val_error'))} / {_pct(run.last('val_top5_error'))}",
        )
        secs = [row["seconds"] for row in run.history if "seconds" in row]
        if secs:
            table.add_row("seconds per epoch", f"{sum(secs) / len(secs):.2f}")
    if run.best:
        best = run.best
        table.add_row(
            "best val top-1 error", f"{_pct(best.get('val_error'))} (epoch {best.get('epoch')})"
        )
    test = run.test_result()
    if test:
        table.add_row(
            f"test top-1 / top-5 ({test.get('tta', 'center')})",
            f"{_pct(test.get('top1_error'))} / {_pct(test.get('top5_error'))}",
        )
    if run.target_error is not None:
        reached = run.epochs_to_target
        table.add_row(
            f"epochs to {100 * run.target_error:.0f}% train error",
            str(reached) if reached is not None else "not reached",
        )
    if run.not_learning:
        table.add_row(
            "[yellow]not learning",
            f"training error still at chance ({_chance(run)}) after "
            f"{run.not_learning_patience} epochs",
        )
    if run.error:
        table.add_row("[red]error", escape(str(run.error)))
    table.add_row("record", escape(str(run.record_path or "")))
    if run.wandb.get("sync"):
        table.add_row("W&B (offline)", escape(f"upload with: {run.wandb['sync']}"))
    elif run.wandb.get("url"):
        table.add_row("W&B", escape(run.wandb["url"]))
    console.print(table)


def _chance(run: RunRecord) -> str:
    """The chance level a run was held against, in words."""
    chance = run.chance_error
    return f"{100 * chance:.1f}%, the majority-class error" if chance is not None else "chance"
