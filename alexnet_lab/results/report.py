"""A sweep's report: summary.json, report.md, PNG figures and a rich table.

Run after every multirun by the Hydra callback, or by hand: ``alexnet-lab-report SWEEP_DIR``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from alexnet_lab.console import console, print_error
from alexnet_lab.results.claims import effect_text
from alexnet_lab.results.compare import ArmResult, Comparison, SettingResult, compare
from alexnet_lab.results.plots import plot_final_errors, plot_training_curves
from alexnet_lab.results.record import find_records

CURVES_PNG, ERRORS_PNG = "training_curves.png", "final_errors.png"


def build_report(sweep_dir: Path, quiet: bool = False) -> dict[str, Any]:
    """Read the sweep's run records and write its summary, figures and report.md."""
    sweep_dir = Path(sweep_dir)
    records = find_records(sweep_dir)
    if not records:
        raise FileNotFoundError(f"no run records (metrics.json) below {sweep_dir}")
    for record in records:  # a record left at "running" belongs to a process that was killed
        if record.get("status") == "running":
            record["status"] = "interrupted"
    first = records[0]
    spec = first.get("report") or {}
    comparison = compare(
        records,
        claim_id=first.get("claim"),
        arm_key=spec.get("arm_group"),
        select_keys=spec.get("select_keys") or [],
        replicate_keys=spec.get("replicate_keys") or ["seed"],
    )
    target = first.get("target_error")
    panels = plot_training_curves(comparison, target, sweep_dir / CURVES_PNG)
    plot_final_errors(comparison, sweep_dir / ERRORS_PNG)
    summary = summarise(comparison, target, [CURVES_PNG, ERRORS_PNG])
    summary["curve_panels"] = panels
    (sweep_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    (sweep_dir / "report.md").write_text(render_markdown(comparison, summary))
    if not quiet:
        print_table(comparison, summary, sweep_dir)
    return summary


def what_ran(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The settings every verdict is conditional on, gathered from the records."""
    # a run tested several ways appears once per view (compare.expand_test_views)
    trained = list({r.get("output_dir", id(r)): r for r in records}.values())

    def values(getter: Any) -> list[Any]:
        seen: list[Any] = []
        for r in records:
            v = getter(r)
            if v not in seen:
                seen.append(v)
        return seen

    return {
        "model": values(lambda r: r.get("settings", {}).get("model")),
        "data": values(lambda r: r.get("settings", {}).get("data")),
        "train_size": values(lambda r: (r.get("data") or {}).get("train_size")),
        "init": values(lambda r: r.get("settings", {}).get("init")),
        "scale": values(lambda r: r.get("settings", {}).get("scale")),
        "norm": values(lambda r: r.get("settings", {}).get("norm")),
        "lr": sorted(values(lambda r: r.get("settings", {}).get("lr"))),
        "weight_decay": values(lambda r: r.get("settings", {}).get("weight_decay")),
        "max_epochs": values(lambda r: r.get("settings", {}).get("max_epochs")),
        "seeds": sorted(values(lambda r: r.get("seed"))),
        "runs": len(trained),
        "statuses": dict(Counter(r.get("status") for r in trained)),
        "test_views": values(lambda r: r.get("tested_view")) if len(trained) < len(records) else [],
    }


def summarise(comparison: Comparison, target: float | None, figures: list[str]) -> dict[str, Any]:
    """The JSON summary: claim, arms, per-arm numbers per setting, verdicts, paper's number."""
    claim = comparison.claim
    settings = [
        {
            "setting": s.setting,
            "label": s.label,
            "arms": [a.as_dict() for a in s.arms],
            "verdict": s.verdict,
        }
        for s in comparison.settings
    ]
    arms: list[str] = []
    for s in comparison.settings:
        arms += [a.label for a in s.arms if a.label not in arms]
    return {
        "claim": claim.id if claim else None,
        "claim_title": claim.title if claim else None,
        "paper": claim.paper if claim else None,
        "arm_key": comparison.arm_key,
        "arms": arms,
        "select_keys": comparison.select_keys,
        "setting_keys": comparison.setting_keys,
        "metric": comparison.metric,
        "target_error": target,
        "what_ran": what_ran(comparison.records),
        "settings": settings,
        "verdict": overall_verdict(comparison.settings),
        "failed_runs": [
            {"record": r.get("path"), "status": r.get("status"), "error": r.get("error")}
            for r in comparison.records
            if r.get("status") not in ("completed",)
        ],
        "figures": figures,
    }


def overall_verdict(settings: list[SettingResult]) -> dict[str, Any] | None:
    """One verdict when there is one setting; otherwise which settings show the effect."""
    judged = [s for s in settings if s.verdict]
    if not judged:
        return None
    if len(judged) == 1:
        return judged[0].verdict
    by_label: dict[str, list[str]] = {}
    for s in judged:
        by_label.setdefault(s.verdict["verdict"], []).append(s.label)  # type: ignore[index]
    parts = [f"{label} in {'; '.join(names)}" for label, names in by_label.items()]
    return {
        "verdict": "per setting",
        "by_verdict": by_label,
        "reason": "The paper's effect is " + " | ".join(parts) + ".",
    }


def _join(values: list[Any]) -> str:
    return ", ".join(map(str, values))


def _metric_cell(arm: ArmResult, metric: str) -> str:
    if not arm.stats.n:
        return "n/a"
    if metric == "epochs_to_target":
        ge = "≥" if arm.stats.censored else ""
        return f"{ge}{arm.stats.mean:.1f} ± {arm.stats.std:.1f}"
    return f"{100 * arm.stats.mean:.2f} ± {100 * arm.stats.std:.2f}%"


def _err_cell(stats: Any) -> str:
    return f"{100 * stats.mean:.2f} ± {100 * stats.std:.2f}%" if stats.n else "n/a"


def _points_cell(stats: Any) -> str:
    return f"{100 * stats.mean:+.2f} ± {100 * stats.std:.2f} pts" if stats.n else "n/a"


def _epoch_cell(stats: Any) -> str:
    return f"{stats.mean:.1f} ± {stats.std:.1f}" if stats.n else "n/a"


def _metric_name(comparison: Comparison, target: float | None) -> str:
    if comparison.metric == "epochs_to_target":
        return f"epochs to {100 * (target or 0):.0f}% train error"
    return "final top-1 error"


def setting_rows(comparison: Comparison) -> list[list[str]]:
    """One row per setting: the claim's two arms, their ratio or difference, the verdict."""
    claim = comparison.claim
    assert claim is not None
    rows = []
    for s in comparison.settings:
        arms = {a.label: a for a in s.arms}
        fav, base = arms.get(claim.favoured), arms.get(claim.baseline)
        cells = [_metric_cell(a, comparison.metric) if a else "did not run" for a in (fav, base)]
        effect = effect_text((s.verdict or {}).get("numbers", {}))
        every_run = [
            r for a in s.arms for r in a.runs + [o for rs in a.others.values() for o in rs]
        ]
        diverged = sum(r.get("status") == "diverged" for r in every_run)
        notes = [f"{diverged} of {len(every_run)} runs diverged"] if diverged else []
        notes += [f"{a.label}: best lr at grid edge" for a in s.arms if a.at_edge]
        verdict = (s.verdict or {}).get("verdict", "-")
        rows.append([s.label, *cells, effect, verdict, "; ".join(notes) or "-"])
    return rows


def setting_table(comparison: Comparison) -> list[str]:
    """The per-setting rows as a markdown table."""
    claim = comparison.claim
    assert claim is not None
    ratio = f"{claim.baseline}/{claim.favoured}" if claim.metric == "epochs_to_target" else "effect"
    lines = [
        f"| setting | {claim.favoured} | {claim.baseline} | {ratio} | verdict | notes |",
        "|---|---|---|---|---|---|",
    ]
    return lines + ["| " + " | ".join(row) + " |" for row in setting_rows(comparison)]


def render_markdown(comparison: Comparison, summary: dict[str, Any]) -> str:
    """report.md: what ran, one table per setting, the verdicts in words, the figures."""
    claim = comparison.claim
    ran = summary["what_ran"]
    target = summary["target_error"]
    lines = [
        f"# {claim.id}: {claim.title} (section {claim.section})"
        if claim
        else f"# Sweep over {comparison.arm_key}",
        "",
    ]
    if claim:
        lines += [f"**Paper:** {claim.paper}.", ""]
    lines += [
        "## What ran",
        "",
        f"- runs: {ran['runs']} ({', '.join(f'{v} {k}' for k, v in ran['statuses'].items())})"
        + (
            f", each trained once and tested on {len(ran['test_views'])} views "
            f"({', '.join(ran['test_views'])}) with the same final weights"
            if ran.get("test_views")
            else ""
        ),
        f"- model: {', '.join(map(str, ran['model']))}; data: {', '.join(map(str, ran['data']))} "
        f"(training images: {', '.join(map(str, ran['train_size']))})",
        f"- init: {_join(ran['init'])}; input scale: {_join(ran['scale'])}; "
        f"norm: {_join(ran['norm'])}; weight decay: {_join(ran['weight_decay'])}",
        f"- learning rates tried: {', '.join(f'{v:g}' for v in ran['lr'])}"
        + (
            f" (chosen per arm by {', '.join(comparison.select_keys)})"
            if comparison.select_keys
            else ""
        ),
        f"- seeds: {_join(ran['seeds'])}; epoch budget: {_join(ran['max_epochs'])}",
        f"- arms: `{comparison.arm_key}` = {', '.join(summary['arms'])}"
        + (
            f"; settings vary `{'`, `'.join(comparison.setting_keys)}`"
            if comparison.setting_keys
            else ""
        ),
        "",
    ]
    if target is not None:
        lines += [
            f"Training error is the *running* error over each epoch's mini-batches (Figure 1's "
            f"quantity); the target is {100 * target:.0f}%.",
            "",
        ]
    lines += [
        "## Results",
        "",
        f"| setting | arm | selected | seeds | {_metric_name(comparison, target)} | "
        "final train error | val top-1 | val top-5 | train/val gap | best val epoch | runs |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in comparison.settings:
        for arm in s.arms:
            sel = ", ".join(f"{k}={v}" for k, v in arm.selected.items()) or "-"
            last = [r["history"][-1]["train_error"] for r in arm.runs if r.get("history")]
            train = f"{100 * sum(last) / len(last):.2f}%" if last else "n/a"
            status = ", ".join(f"{v} {k}" for k, v in arm.statuses.items())
            if arm.not_learning:
                status += f", {arm.not_learning} not learning"
            lines.append(
                f"| {s.label} | {arm.label} | {sel} | {arm.stats.n} | "
                f"{_metric_cell(arm, comparison.metric)} | {train} | {_err_cell(arm.top1)} | "
                f"{_err_cell(arm.top5)} | {_points_cell(arm.gap)} | "
                f"{_epoch_cell(arm.best_epoch)} | {status} |"
            )
    if comparison.claim:
        lines += ["", "## Per setting", "", *setting_table(comparison)]
    lines += ["", "## Verdict", ""]
    for s in comparison.settings:
        if s.verdict:
            lines.append(f"- **{s.label}: {s.verdict['verdict']}**. {s.verdict['reason']}")
            for part in s.verdict.get("parts", []):
                lines.append(f"  - {part['verdict']}: {part['reason']}")
            if s.verdict.get("warning"):
                lines.append(f"  - warning: {s.verdict['warning']}")
    overall = summary["verdict"]
    if overall and len(comparison.settings) > 1:
        lines += ["", f"**Across settings:** {overall['reason']}"]
    if not claim:
        lines.append("No paper claim varies in this sweep: a comparison without a verdict.")
    if summary["failed_runs"]:
        lines += ["", "## Runs that did not complete", ""]
        lines += [
            f"- `{f['record']}`: {f['status']}: {f['error'] or ''}" for f in summary["failed_runs"]
        ]
    lines += [
        "",
        "## Figures",
        "",
        f"![training curves]({CURVES_PNG})",
        "",
        f"![final errors]({ERRORS_PNG})",
        "",
    ]
    return "\n".join(lines)


def print_table(comparison: Comparison, summary: dict[str, Any], sweep_dir: Path) -> None:
    """The terminal view of the report: one row per arm and setting, then the verdicts."""
    claim = comparison.claim
    target = summary["target_error"]
    table = Table(
        title=(f"{claim.id}: {claim.title}" if claim else f"sweep over {comparison.arm_key}"),
        caption=f"paper: {claim.paper}" if claim else None,
    )
    for col in (
        "setting",
        "arm",
        "selected",
        "seeds",
        _metric_name(comparison, target),
        "val top-1",
        "val top-5",
        "runs",
    ):
        table.add_column(col, overflow="fold")
    for s in comparison.settings:
        for arm in s.arms:
            sel = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in arm.selected.items()) or "-"
            cells = [
                s.label,
                arm.label,
                sel,
                str(arm.stats.n),
                _metric_cell(arm, comparison.metric),
                _err_cell(arm.top1),
                _err_cell(arm.top5),
                ", ".join(f"{v} {k}" for k, v in arm.statuses.items()),
            ]
            table.add_row(*map(escape, cells))
    console.print(table)
    if claim and len(comparison.settings) > 1:
        per_setting = Table(title=f"{claim.id} per setting")
        ratio = (
            f"{claim.baseline}/{claim.favoured}" if claim.metric == "epochs_to_target" else "effect"
        )
        for col in ("setting", claim.favoured, claim.baseline, ratio, "verdict", "notes"):
            per_setting.add_column(col, overflow="fold")
        for row in setting_rows(comparison):
            per_setting.add_row(*map(escape, row))
        console.print(per_setting)
    colours = {"reproduced": "green", "not reproduced": "red", "inconclusive": "yellow"}
    for s in comparison.settings:
        if s.verdict:
            c = colours.get(s.verdict["verdict"], "white")
            label, reason = escape(s.label), escape(s.verdict["reason"])
            console.print(f"[bold {c}]{label}: {s.verdict['verdict']}[/] {reason}")
            for part in s.verdict.get("parts", []):
                pc = colours.get(part["verdict"], "white")
                console.print(f"  [{pc}]{part['verdict']}[/]: {escape(part['reason'])}")
            if s.verdict.get("warning"):
                console.print(f"[yellow]warning: {escape(s.verdict['warning'])}")
    if summary["verdict"] and len(comparison.settings) > 1:
        console.print(f"[bold]Across settings:[/] {escape(summary['verdict']['reason'])}")
    console.print(
        f"report: {sweep_dir / 'report.md'}; figures: "
        + ", ".join(str(sweep_dir / f) for f in summary["figures"])
    )


def main(argv: list[str] | None = None) -> None:
    """``alexnet-lab-report SWEEP_DIR``: rebuild a sweep's report from its run records.

    ``alexnet-lab-report --all DIR``: every sweep below DIR, then one paper_report.md.
    """
    parser = argparse.ArgumentParser(prog="alexnet-lab-report", description=main.__doc__)
    parser.add_argument(
        "folder",
        type=Path,
        help="a sweep folder holding */metrics.json "
        "(with --all: any folder holding sweeps, e.g. multirun/)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="report every sweep below FOLDER and write FOLDER/paper_report.md",
    )
    parser.add_argument("--quiet", action="store_true", help="write the files, print no table")
    parser.add_argument(
        "--wandb",
        action="store_true",
        help="also log the comparison to W&B as a summary run in the sweep's group",
    )
    args = parser.parse_args(argv)
    try:
        if args.all:
            from alexnet_lab.results.paper_report import build_paper_report

            rows = build_paper_report(args.folder)
            if not args.quiet:
                print_paper_table(rows, args.folder)
        else:
            build_report(args.folder, quiet=args.quiet)
            if args.wandb:
                from alexnet_lab.results.wandb_summary import log_sweep_summary

                info = log_sweep_summary(args.folder)
                if info:
                    console.print(
                        f"W&B summary run: {info.get('sync') or info.get('url')}", soft_wrap=True
                    )
    except FileNotFoundError as exc:
        print_error(
            "no report",
            f"{exc}. Give the folder of a sweep (multirun/<date>/<time>) whose runs wrote "
            "metrics.json, or with --all a folder that holds such sweeps.",
        )
        sys.exit(2)


def print_paper_table(rows: list[dict[str, Any]], folder: Path) -> None:
    """The terminal view of ``--all``: one row per sweep, by claim."""
    table = Table(title="AlexNet claims: measured here vs the paper")
    for col in ("claim", "paper", "measured", "verdict", "sweep"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            *(escape(str(r[k])) for k in ("claim", "paper", "measured", "verdict", "sweep"))
        )
    console.print(table)
    console.print(f"report: {folder / 'paper_report.md'}; figure: {folder / 'paper_report.png'}")


if __name__ == "__main__":
    main()
