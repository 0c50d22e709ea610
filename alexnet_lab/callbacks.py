"""Hydra callback: after a multirun, build the sweep's comparison report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from alexnet_lab import ddp
from alexnet_lab.failures import FAILED_JOBS


class SweepReportCallback(Callback):
    """Calls :func:`alexnet_lab.results.report.build_report` on the sweep directory."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write summary.json, report.md and the figures (launching process only)."""
        if ddp.is_secondary_process():  # only one process owns sweep-level files
            return
        write_sweep_report(Path(config.hydra.sweep.dir))


def write_sweep_report(sweep_dir: Path) -> None:
    """Build the sweep's report and its W&B summary run.

    A failure is a paragraph, not a traceback, and makes the command exit non-zero; the run
    records stay intact.
    """
    from alexnet_lab.results.report import build_report

    if not any(sweep_dir.rglob("metrics.json")):
        return
    try:
        build_report(sweep_dir)
        log_report_to_wandb(sweep_dir)
    except Exception as exc:  # Hydra would only warn: make it visible and fail the command
        from alexnet_lab.console import print_error

        print_error(
            "no sweep report",
            f"building the report of {sweep_dir} failed ({type(exc).__name__}: {exc}). "
            f"The run records are intact; rebuild it with: alexnet-lab-report {sweep_dir}",
        )
        FAILED_JOBS.append(f"sweep report of {sweep_dir} -> {type(exc).__name__}: {exc}")


def log_report_to_wandb(sweep_dir: Path) -> None:
    """When the sweep's runs logged to W&B, add its comparison as a summary run in their group."""
    from alexnet_lab.console import console
    from alexnet_lab.results.record import find_records
    from alexnet_lab.results.wandb_summary import log_sweep_summary, used_wandb

    if not used_wandb(find_records(sweep_dir)):
        return
    info = log_sweep_summary(sweep_dir)
    if info and info.get("sync"):
        console.print(f"W&B summary run (offline); upload with: {info['sync']}", soft_wrap=True)
