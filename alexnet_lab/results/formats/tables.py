"""The report's tables as rows of text: one source for report.md and the terminal's rich table."""

from __future__ import annotations

from alexnet_lab.results.verdict.arms import Comparison
from alexnet_lab.results.verdict.metrics import REPORTED, Metric
from alexnet_lab.results.verdict.verdicts import effect_text

Table = tuple[list[str], list[list[str]]]


def arm_metrics(comparison: Comparison) -> list[Metric]:
    """The per-arm columns: the claim's metric first, then the reported ones, once each."""
    return list({m.name: m for m in (comparison.metric, *REPORTED)}.values())


def arm_table(comparison: Comparison, target: float | None) -> Table:
    """One row per setting and arm: selected values, seeds, every metric, run statuses."""
    metrics = arm_metrics(comparison)
    headers = ["setting", "arm", "selected", "seeds", *(m.heading(target) for m in metrics)]
    rows = []
    for s in comparison.settings:
        for arm in s.arms:
            status = ", ".join(f"{v} {k}" for k, v in arm.statuses.items())
            if arm.not_learning:
                status += f", {arm.not_learning} not learning"
            rows.append(
                [
                    s.label,
                    arm.label,
                    ", ".join(f"{k}={v}" for k, v in arm.selected.items()) or "-",
                    str(arm.stats.n),
                    *(m.cell(arm.of(m)) for m in metrics),
                    status,
                ]
            )
    return [*headers, "runs"], rows


def setting_table(comparison: Comparison) -> Table:
    """One row per setting: the claim's two arms, their effect with its interval, the verdict."""
    claim = comparison.claim
    assert claim is not None
    effect = f"{claim.baseline}/{claim.favoured}" if claim.min_ratio is not None else "effect"
    headers = ["setting", claim.favoured, claim.baseline, effect, "verdict", "notes"]
    rows = []
    for s in comparison.settings:
        cells = [
            comparison.metric.cell(arm.stats) if arm else "did not run"
            for arm in (s.arm(claim.favoured), s.arm(claim.baseline))
        ]
        every_run = [r for a in s.arms for r in a.every_run]
        diverged = sum(r.status == "diverged" for r in every_run)
        notes = [f"{diverged} of {len(every_run)} runs diverged"] if diverged else []
        notes += [
            f"{a.label}: best {', '.join(a.at_edge)} at grid edge" for a in s.arms if a.at_edge
        ]
        verdict = s.verdict or {}
        seeds = (verdict.get("numbers") or {}).get("seeds_needed")
        if verdict.get("verdict") == "inconclusive" and seeds:
            notes.append(f"a firm verdict needs ~{seeds} seeds per arm")
        rows.append(
            [
                s.label,
                *cells,
                effect_text(verdict),
                verdict.get("verdict", "-"),
                "; ".join(notes) or "-",
            ]
        )
    return headers, rows


def markdown_table(table: Table) -> list[str]:
    """A table as markdown lines."""
    headers, rows = table
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]
