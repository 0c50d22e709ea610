"""All claims at once: every sweep under a folder -> ``paper_report.md`` and a figure."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

from alexnet_lab.folders.layout import is_replaced
from alexnet_lab.overrides import shell_join
from alexnet_lab.record.atomic import write_text
from alexnet_lab.record.files import record_paths
from alexnet_lab.results.derived import DERIVED
from alexnet_lab.results.figures.paper import paper_figure
from alexnet_lab.results.formats.summary import TRAIN_SIZE, ran_values
from alexnet_lab.results.sweep_report import build_report, report_code
from alexnet_lab.results.verdict.claims import CLAIMS
from alexnet_lab.results.verdict.verdicts import effect_text


def find_sweeps(root: Path) -> list[Path]:
    """Folders below ``root`` that hold a sweep: run records one level down.

    A folder that reads another sweep's runs under another claim (``derived.json``) is one too.
    Runs that ``replace=true`` moved aside (``<folder>.replaced-<time>``) are not reported.
    """
    records = [p for p in record_paths(Path(root)) if not is_replaced(p, Path(root))]
    sweeps = {p.parent.parent for p in records} | {p.parent for p in Path(root).rglob(DERIVED)}
    return sorted(s for s in sweeps if not any(s != o and o in s.parents for o in sweeps))


def measured(summary: dict[str, Any]) -> str:
    """The measured effect in words, per setting: C1's ratio, the others' error difference."""
    parts = []
    for setting in summary["settings"]:
        text = effect_text(setting.get("verdict"))
        label = setting["label"]
        parts.append(text if label == "all runs" else f"{label}: {text}")
    return "; ".join(parts)


def sweep_summary(sweep: Path, reuse: bool = False) -> dict[str, Any]:
    """The sweep's summary: rebuilt from its records, or with ``reuse`` its summary.json.

    With ``reuse``, summary.json is read when it is newer than every record and was written by
    this code (:func:`~alexnet_lab.results.sweep_report.report_code`); when it is missing,
    older, unreadable (cut short: a warning names it) or another version's, the sweep's report
    is built first, from its records.
    """
    summary_path = Path(sweep) / "summary.json"
    if reuse and summary_path.exists():
        newest = max((p.stat().st_mtime for p in record_paths(Path(sweep))), default=0)
        if summary_path.stat().st_mtime >= newest:
            try:
                summary = json.loads(summary_path.read_text())
            except (OSError, ValueError) as exc:  # the records are not to blame
                summary = None
                warnings.warn(
                    f"{summary_path} is unreadable ({type(exc).__name__}: {exc}); it is "
                    "rebuilt from the sweep's run records",
                    UserWarning,
                    stacklevel=2,
                )
            if isinstance(summary, dict) and summary.get("report_code") == report_code():
                return summary  # else written by other code: rebuilt below
    return build_report(sweep, quiet=True)


Rows = list[dict[str, Any]]


def paper_rows(root: Path, reuse: bool = False) -> tuple[Rows, list[dict[str, str]]]:
    """One row per sweep below ``root`` (by claim, C1..C7), and the sweeps left out.

    A sweep whose report cannot be built (no readable record, a failure while comparing) is
    named on standard error and in the second list (``sweep``, ``reason``, ``command``).
    """
    root = Path(root)
    rows, broken = [], []
    for sweep in find_sweeps(root):
        try:
            summary = sweep_summary(sweep, reuse)
        except Exception as exc:
            from alexnet_lab.console import print_error

            reason = f"{type(exc).__name__}: {exc}"
            command = shell_join(["alexnet-lab-report", str(sweep)])
            print_error(
                "sweep left out",
                f"the report of {sweep} could not be built ({reason}). It is left out of "
                f"the paper report; fix or remove its records, then rerun: {command}",
            )
            broken.append({"sweep": os.path.relpath(sweep, root), "reason": reason,
                           "command": command})  # fmt: skip
            continue
        verdict = summary.get("verdict") or {}
        rows.append({
            "claim": summary.get("claim"),
            "sweep": os.path.relpath(sweep, root),
            "sweep_dir": str(sweep),
            "paper": summary.get("paper") or "-",
            "measured": measured(summary),
            "verdict": verdict.get("verdict", "no claim"),
            "reason": verdict.get("reason", ""),
            "what_ran": summary["what_ran"],
            "summary": summary,
            **row_settings(summary),
        })  # fmt: skip
    order = list(CLAIMS)
    rows.sort(key=lambda r: (order.index(r["claim"]) if r["claim"] in order else 99, r["sweep"]))
    return rows, broken


def row_settings(summary: dict[str, Any]) -> dict[str, str]:
    """What a measured number is conditional on, in short: data set, its size, the budget.

    Also where training starts from (``start``: init and input scale, which move C1's result),
    and both with the budget as one phrase (``conditions``).
    """
    ran = summary["what_ran"]
    data = ", ".join(map(str, ran_values(ran, "data"))) or "?"
    sizes = ran_values(ran, TRAIN_SIZE)
    size = "/".join(f"{int(n):,}" for n in sizes if n is not None) or "?"
    epochs = "/".join(map(str, ran_values(ran, "max_epochs"))) or "?"
    budget = f"{epochs} epochs"
    target = summary.get("target_error")
    if target is not None and "target" in str(summary.get("metric")):
        budget += f", target {float(target):.0%} train error"
    starts = {key: ", ".join(map(str, ran_values(ran, key))) for key in ("init", "scale")}
    start = ", ".join(f"{key} {value}" for key, value in starts.items() if value)
    conditions = ", ".join(part for part in (start, budget) if part)
    return {"data": data, "train_size": size, "budget": budget, "start": start,
            "conditions": conditions}  # fmt: skip


def build_paper_report(
    root: Path, out: Path | None = None, reuse: bool = False
) -> list[dict[str, Any]]:
    """Rebuild each sweep's report and write ``paper_report.md`` and ``paper_report.png``.

    They go to ``out`` (default: ``root``). A sweep whose report cannot be built is named on
    standard error and left out; the other sweeps are reported.
    """
    rows, _ = paper_rows(root, reuse)
    if not rows:
        raise FileNotFoundError(f"no sweeps (folders of */record.json) below {root}")
    write_paper_report(rows, Path(out or root))
    return rows


def write_paper_report(rows: Rows, out: Path) -> None:
    """Write ``paper_report.md`` and ``paper_report.png`` of ``rows`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "paper_report.md", _markdown(rows, out))
    paper_figure(rows, out / "paper_report.png")


def _markdown(rows: Rows, out: Path) -> str:
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
        settings = (f"{model} on {data} ({r['train_size']} train images), {r['conditions']}, "
                    f"{ran['runs']} runs, seeds {', '.join(map(str, ran['seeds']))}")  # fmt: skip
        # the copy beside a results page (page.copy_report), else the sweep's own report
        report = r.get("report") or os.path.relpath(Path(r["sweep_dir"]) / "report.md", out)
        link = f"[{r['sweep']}/report.md]({report})"
        lines.append(f"| {title} | {r['paper']} | {r['measured']} | **{r['verdict']}** | "
                     f"{settings} | {link} |")  # fmt: skip
    missing = [c for c in CLAIMS if c not in {r["claim"] for r in rows}]
    if missing:
        lines += ["", "Not run yet: " + ", ".join(f"{c} ({CLAIMS[c].title})" for c in missing)]
    lines += ["", "![all claims](paper_report.png)", ""]
    return "\n".join(lines)
