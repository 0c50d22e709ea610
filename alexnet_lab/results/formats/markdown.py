"""report.md: what ran, the tables (the rows the terminal shows), the verdicts, the figures."""

from __future__ import annotations

from typing import Any

from alexnet_lab.results.formats.tables import arm_table, markdown_table, setting_table
from alexnet_lab.results.verdict.arms import Comparison
from alexnet_lab.results.verdict.claims import EQUIVALENCE_FRACTION
from alexnet_lab.results.verdict.intervals import LEVEL

CURVES_PNG, ERRORS_PNG = "training_curves.png", "final_errors.png"


def _join(values: list[Any]) -> str:
    return ", ".join(map(str, values))


def what_ran_lines(comparison: Comparison, summary: dict[str, Any]) -> list[str]:
    """The "What ran" section: runs, the settings held fixed, the keys that varied, seeds."""
    ran = summary["what_ran"]
    statuses = ", ".join(f"{v} {k}" for k, v in ran["statuses"].items())
    views = ran.get("test_views") or []
    tested = (
        f", each trained once and tested on {len(views)} views ({_join(views)}) with the same "
        "final weights"
        if views
        else ""
    )
    fixed = "; ".join(f"{k}: {v}" for k, v in ran["fixed"].items())
    lines = [f"- runs: {ran['runs']} ({statuses}){tested}", f"- held fixed: {fixed or '-'}"]
    for key, values in ran["varied"].items():
        role = (
            "arms"
            if key in comparison.arm_key.split(",")
            else "chosen per arm, the best winning"
            if key in comparison.select_keys
            else "a setting: arms compared within each value"
            if key in comparison.setting_keys
            else "varied"
        )
        lines.append(f"- `{key}` = {_join(values)} ({role})")
    lines.append(f"- seeds: {_join(ran['seeds'])}")
    lines += [f"- counted once: {said}" for said in summary.get("counted_once") or []]
    return lines


def _part_metrics(comparison: Comparison) -> list[Any]:
    return [part.metric for part in comparison.claim.parts] if comparison.claim else []


def method_lines(comparison: Comparison, target: float | None) -> list[str]:
    """How the verdicts are judged: the interval, integer measures, censored values."""
    metric = comparison.metric
    lines = []
    if target is not None:
        lines.append(
            f"Training error is the *running* error over each epoch's mini-batches (Figure 1's "
            f"quantity); the target is {100 * target:.0f}%."
        )
    lines.append(
        f"A verdict counts an effect only when its {100 * LEVEL:.0f}% interval (Student's t: "
        "Welch's for two arms, paired per run for views of the same weights where every run "
        "has both; for a ratio, on the log scale) clears the claim's threshold: a ratio "
        "claim's factor; for a difference, `not reproduced` first when the interval lies "
        "wholly below zero or, where the paper gives a number for these data, wholly below "
        f"{EQUIVALENCE_FRACTION:g} of it, then `reproduced` when it lies above zero. An "
        "inconclusive verdict says what would decide: finishing runs or more epochs, a finer "
        "measure, or how many seeds at the spread seen."
    )
    if any(m.name == "train_val_gap" for m in (metric, *_part_metrics(comparison))):
        lines.append(
            "The overfitting gap is the final validation error minus the final "
            "`train_eval_error`: the training error in eval mode (no dropout, the centre view, "
            "no lighting) on a fixed subset of the training set."
        )
    if metric.resolution:
        lines.append(
            f"{metric.label.capitalize()} is counted in steps of {metric.resolution:g}: a count k "
            f"stands for (k - {metric.resolution:g}, k], and the interval's ends take each run "
            "at the end of that range least favourable to them."
        )
    if metric.censored_means:
        lines.append(f"Censored values: {metric.censored_means}.")
    if comparison.select_keys:
        keys = ", ".join(comparison.select_keys)
        lines.append(
            f"Each arm's {keys} is chosen on the same seeds that are judged (the best per arm), "
            "which flatters every arm a little; the interval does not count that choice. A "
            "verdict that a better value beyond the grid's edge could flip is inconclusive; the "
            "grid holds the values that finished or diverged, not those still unfinished."
        )
    return [" ".join(lines), ""]


def verdict_lines(comparison: Comparison, summary: dict[str, Any]) -> list[str]:
    """The verdict of each setting in words, its parts and warnings, and across settings."""
    lines = []
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
    if not comparison.claim:
        lines.append("No paper claim varies in this sweep: a comparison without a verdict.")
    return lines


def not_learning_line(run: dict[str, Any]) -> str:
    """One bullet naming a run that was not learning: its overrides, record and errors."""
    name = " ".join(run.get("overrides") or []) or "(defaults)"
    errors = ""
    if run.get("last_train_error") is not None and run.get("chance_error") is not None:
        errors = (
            f": last running train error {100 * run['last_train_error']:.2f}%, "
            f"chance {100 * run['chance_error']:.2f}%"
        )
    return f"- `{name}` (`{run['record']}`){errors}"


def render_markdown(comparison: Comparison, summary: dict[str, Any]) -> str:
    """report.md: what ran, the tables, the verdicts in words, the figures."""
    claim = comparison.claim
    target = summary["target_error"]
    title = f"{claim.id}: {claim.title} (section {claim.section})" if claim else comparison.title
    lines = [f"# {title}", ""]
    if claim:
        lines += [f"**Paper:** {claim.paper}.", ""]
    lines += ["## What ran", "", *what_ran_lines(comparison, summary), ""]
    lines += method_lines(comparison, target)
    lines += ["## Results", "", *markdown_table(arm_table(comparison, target))]
    if claim:
        lines += ["", "## Per setting", "", *markdown_table(setting_table(comparison))]
    tables = summary.get("tables") or []
    if tables:
        links = ", ".join(f"[{name}]({name})" for name in tables)
        lines += ["", f"The tables for a paper (CSV, LaTeX with booktabs): {links}."]
    lines += ["", "## Verdict", "", *verdict_lines(comparison, summary)]
    if summary["failed_runs"]:
        lines += ["", "## Runs that did not complete", ""]
        lines += [
            f"- `{f['record']}`: {f['status']}" + (f": {f['error']}" if f["error"] else "")
            for f in summary["failed_runs"]
        ]
    if summary.get("not_learning_runs"):
        lines += ["", "## Runs that did not learn", ""]
        lines += ["Their running training error sat at chance (the majority-class error):", ""]
        lines += [not_learning_line(n) for n in summary["not_learning_runs"]]
    lines += ["", "## Figures", ""]
    for name in summary.get("figures") or [CURVES_PNG, ERRORS_PNG]:
        lines += [f"![{name.removesuffix('.png').replace('_', ' ')}]({name})", ""]
    return "\n".join(lines)
