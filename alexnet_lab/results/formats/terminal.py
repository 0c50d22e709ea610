"""The terminal view of a report: rich tables of the same rows as report.md, and the verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from alexnet_lab.console import console
from alexnet_lab.results.formats.tables import Table as Rows
from alexnet_lab.results.formats.tables import arm_table, setting_table
from alexnet_lab.results.verdict.arms import Comparison

COLOURS = {"reproduced": "green", "not reproduced": "red", "inconclusive": "yellow"}


def rich_table(rows: Rows, title: str, caption: str | None = None) -> Table:
    """A rich table of ``rows`` (headers, rows), every cell escaped."""
    headers, body = rows
    table = Table(title=escape(title), caption=escape(caption) if caption else None)
    for header in headers:
        table.add_column(escape(header), overflow="fold")
    for row in body:
        table.add_row(*map(escape, row))
    return table


def print_table(comparison: Comparison, summary: dict[str, Any], sweep_dir: Path) -> None:
    """The report's tables (the same rows as report.md), then the verdicts in words."""
    claim = comparison.claim
    caption = f"paper: {claim.paper}" if claim else None
    arms = arm_table(comparison, summary["target_error"])
    console.print(rich_table(arms, comparison.title, caption))
    if claim:
        console.print(rich_table(setting_table(comparison), f"{claim.id} per setting"))
    for s in comparison.settings:
        if s.verdict:
            c = COLOURS.get(s.verdict["verdict"], "white")
            label, reason = escape(s.label), escape(s.verdict["reason"])
            console.print(f"[bold {c}]{label}: {s.verdict['verdict']}[/] {reason}")
            for part in s.verdict.get("parts", []):
                pc = COLOURS.get(part["verdict"], "white")
                console.print(f"  [{pc}]{part['verdict']}[/]: {escape(part['reason'])}")
            if s.verdict.get("warning"):
                console.print(f"[yellow]warning: {escape(s.verdict['warning'])}")
    if summary["verdict"] and len(comparison.settings) > 1:
        console.print(f"[bold]Across settings:[/] {escape(summary['verdict']['reason'])}")
    files = ", ".join(str(sweep_dir / f) for f in summary["figures"])
    console.print(escape(f"report: {sweep_dir / 'report.md'}; figures: {files}"))


def print_paper_table(rows: list[dict[str, Any]], folder: Path) -> None:
    """The terminal view of ``--all``: one row per sweep, by claim."""
    columns = ["claim", "paper", "measured", "verdict", "sweep"]
    body = [[str(r[k]) for k in columns] for r in rows]
    console.print(rich_table((columns, body), "AlexNet claims: measured here vs the paper"))
    console.print(
        escape(f"report: {folder / 'paper_report.md'}; figure: {folder / 'paper_report.png'}")
    )
