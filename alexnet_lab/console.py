"""Terminal output with rich: error paragraphs and the end-of-run summary."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

console = Console(stderr=False, soft_wrap=False)
err_console = Console(stderr=True)


def print_error(title: str, paragraph: str) -> None:
    """Print one clear paragraph (no traceback) to standard error."""
    err_console.print(
        Panel(
            escape(paragraph), title=f"[bold red]{escape(title)}", expand=False, border_style="red"
        )
    )


def _pct(value: Any) -> str:
    return f"{100 * value:.2f}%" if isinstance(value, (int, float)) else "-"


def print_run_summary(record: dict[str, Any]) -> None:
    """A rich table with the run's outcome: status, errors, epochs to target, speed, files."""
    history = record.get("history", [])
    final = record.get("final", {})
    table = Table(title=escape(f"run {record.get('output_dir', '')}"), show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    status = record.get("status", "?")
    colour = {"completed": "green", "diverged": "red", "failed": "red"}.get(status, "yellow")
    table.add_row("status", f"[{colour}]{status}[/]")
    table.add_row("overrides", escape(" ".join(record.get("overrides", [])) or "(defaults)"))
    table.add_row("epochs run", str(len(history)))
    if history:
        last = history[-1]
        table.add_row("running train error (last epoch)", _pct(last.get("train_error")))
        table.add_row(
            "val top-1 / top-5 error (last)",
            f"{_pct(last.get('val_error'))} / {_pct(last.get('val_top5_error'))}",
        )
        secs = [row["seconds"] for row in history]
        table.add_row("seconds per epoch", f"{sum(secs) / len(secs):.2f}")
    best = final.get("best")
    if best:
        table.add_row(
            "best val top-1 error", f"{_pct(best.get('val_error'))} (epoch {best.get('epoch')})"
        )
    test = final.get("test")
    if test:
        table.add_row(
            f"test top-1 / top-5 ({test.get('tta', 'center')})",
            f"{_pct(test.get('top1_error'))} / {_pct(test.get('top5_error'))}",
        )
    target = record.get("target_error")
    if target is not None:
        reached = record.get("epochs_to_target")
        table.add_row(
            f"epochs to {100 * target:.0f}% train error",
            str(reached) if reached is not None else "not reached",
        )
    if record.get("not_learning"):
        table.add_row(
            "[yellow]not learning",
            f"training error still at chance ({_chance(record)}) after "
            f"{record.get('not_learning_patience')} epochs",
        )
    if record.get("error"):
        table.add_row("[red]error", escape(str(record["error"])))
    table.add_row("record", escape(str(record.get("record_path", ""))))
    wandb_info = record.get("wandb") or {}
    if wandb_info.get("sync"):
        table.add_row("W&B (offline)", escape(f"upload with: {wandb_info['sync']}"))
    elif wandb_info.get("url"):
        table.add_row("W&B", escape(wandb_info["url"]))
    console.print(table)


def _chance(record: dict[str, Any]) -> str:
    """The chance level a run was held against, in words."""
    chance = (record.get("data") or {}).get("chance_error")
    return f"{100 * chance:.1f}%, the majority-class error" if chance is not None else "chance"
