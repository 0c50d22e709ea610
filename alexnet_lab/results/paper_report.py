"""All claims at once: every sweep under a folder -> ``paper_report.md`` and a figure."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from alexnet_lab.overrides import shell_join  # noqa: E402
from alexnet_lab.results.claims import CLAIMS  # noqa: E402
from alexnet_lab.results.record import RECORD_NAME  # noqa: E402
from alexnet_lab.results.summary import ran_values  # noqa: E402
from alexnet_lab.results.sweep import build_report  # noqa: E402
from alexnet_lab.results.verdicts import effect_text  # noqa: E402

VERDICT_COLOURS = {
    "reproduced": "#b7e1b0",
    "not reproduced": "#f4b6b0",
    "inconclusive": "#f6e3a1",
    "per setting": "#cfd8f0",
}


def find_sweeps(root: Path) -> list[Path]:
    """Folders below ``root`` that hold a sweep: run records one level down."""
    sweeps = {p.parent.parent for p in Path(root).rglob(RECORD_NAME)}
    return sorted(s for s in sweeps if not any(s != o and o in s.parents for o in sweeps))


def measured(summary: dict[str, Any]) -> str:
    """The measured effect in words, per setting: C1's ratio, the others' error difference."""
    parts = []
    for setting in summary["settings"]:
        text = effect_text(setting.get("verdict"))
        label = setting["label"]
        parts.append(text if label == "all runs" else f"{label}: {text}")
    return "; ".join(parts)


def build_paper_report(root: Path) -> list[dict[str, Any]]:
    """Rebuild each sweep's report and write ``paper_report.md`` and ``paper_report.png``.

    A sweep whose report cannot be built (no readable record, a failure while comparing) is
    named on standard error and left out; the other sweeps are reported.
    """
    root = Path(root)
    rows = []
    for sweep in find_sweeps(root):
        try:
            summary = build_report(sweep, quiet=True)
        except Exception as exc:
            from alexnet_lab.console import print_error

            print_error(
                "sweep left out",
                f"the report of {sweep} could not be built ({type(exc).__name__}: {exc}). "
                "It is left out of paper_report.md; fix or remove its records, then rerun: "
                + shell_join(["alexnet-lab-report", str(sweep)]),
            )
            continue
        verdict = summary.get("verdict") or {}
        rows.append({
            "claim": summary.get("claim"),
            "sweep": os.path.relpath(sweep, root),
            "paper": summary.get("paper") or "-",
            "measured": measured(summary),
            "verdict": verdict.get("verdict", "no claim"),
            "reason": verdict.get("reason", ""),
            "what_ran": summary["what_ran"],
        })  # fmt: skip
    if not rows:
        raise FileNotFoundError(f"no sweeps (folders of */metrics.json) below {root}")
    order = list(CLAIMS)
    rows.sort(key=lambda r: (order.index(r["claim"]) if r["claim"] in order else 99, r["sweep"]))
    (root / "paper_report.md").write_text(_markdown(rows))
    _figure(rows, root / "paper_report.png")
    return rows


def _markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "# The AlexNet paper's claims, as measured here", "",
        "| claim | paper | measured | verdict | settings | sweep report |",
        "|---|---|---|---|---|---|",
    ]  # fmt: skip
    for r in rows:
        claim = CLAIMS.get(r["claim"] or "")
        title = f"{claim.id}: {claim.title}" if claim else "(no claim)"
        ran = r["what_ran"]
        model, data = (", ".join(map(str, ran_values(ran, key))) for key in ("model", "data"))
        settings = (f"{model} on {data}, "
                    f"{ran['runs']} runs, seeds {', '.join(map(str, ran['seeds']))}")  # fmt: skip
        link = f"[{r['sweep']}/report.md]({r['sweep']}/report.md)"
        lines.append(f"| {title} | {r['paper']} | {r['measured']} | **{r['verdict']}** | "
                     f"{settings} | {link} |")  # fmt: skip
    missing = [c for c in CLAIMS if c not in {r["claim"] for r in rows}]
    if missing:
        lines += ["", "Not run yet: " + ", ".join(f"{c} ({CLAIMS[c].title})" for c in missing)]
    lines += ["", "![all claims](paper_report.png)", ""]
    return "\n".join(lines)


def _figure(rows: list[dict[str, Any]], path: Path) -> None:
    cells = [[r["claim"] or "-", r["paper"][:60], r["measured"][:70], r["verdict"]] for r in rows]
    fig, ax = plt.subplots(figsize=(15, 0.6 + 0.45 * len(rows)))
    ax.axis("off")
    table = ax.table(cellText=cells, colLabels=["claim", "paper", "measured", "verdict"],
                     loc="center", cellLoc="left", colWidths=[0.06, 0.4, 0.4, 0.14])  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1, 1.5)
    for i, r in enumerate(rows, start=1):
        table[i, 3].set_facecolor(VERDICT_COLOURS.get(r["verdict"], "white"))
    ax.set_title("AlexNet (2012) claims: measured here vs the paper", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
