"""Hydra callback: after a multirun, build the sweep's comparison report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from alexnet_lab import ddp


class SweepReportCallback(Callback):
    """Calls :func:`alexnet_lab.results.report.build_report` on the sweep directory."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write summary.json, report.md and the figures (launching process only)."""
        if ddp.is_ddp_child():  # a DDP child never owns sweep-level files
            return
        from alexnet_lab.results.report import build_report

        sweep_dir = Path(config.hydra.sweep.dir)
        if not any(sweep_dir.rglob("metrics.json")):
            return
        build_report(sweep_dir)
