"""One sweep's report: read its run records, compare, write summary.json, report.md, figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alexnet_lab.results.compare import compare
from alexnet_lab.results.markdown import CURVES_PNG, ERRORS_PNG, render_markdown
from alexnet_lab.results.plots import plot_final_errors, plot_training_curves
from alexnet_lab.results.record import load_records
from alexnet_lab.results.summary import summarise
from alexnet_lab.results.terminal import print_table


def build_report(sweep_dir: Path, quiet: bool = False) -> dict[str, Any]:
    """Read the sweep's run records and write its summary, figures and report.md."""
    sweep_dir = Path(sweep_dir)
    records = load_records(sweep_dir)
    if not records:
        raise FileNotFoundError(f"no run records (metrics.json) below {sweep_dir}")
    # a record left at "running" belongs to a process that was killed
    records = [r.replace(status="interrupted") if r.status == "running" else r for r in records]
    first = records[0]
    comparison = compare(
        records,
        claim_id=first.claim,
        arm_key=first.arm_group,
        select_keys=first.select_keys,
        replicate_keys=first.replicate_keys,
    )
    target = first.target_error
    panels = plot_training_curves(comparison, target, sweep_dir / CURVES_PNG)
    plot_final_errors(comparison, sweep_dir / ERRORS_PNG)
    summary = summarise(comparison, target, [CURVES_PNG, ERRORS_PNG])
    summary["curve_panels"] = panels
    (sweep_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    (sweep_dir / "report.md").write_text(render_markdown(comparison, summary))
    if not quiet:
        print_table(comparison, summary, sweep_dir)
    return summary
