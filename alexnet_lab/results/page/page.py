"""The results page: ``alexnet-lab-report --all ROOT --out DIR`` -> ``DIR/results.md``.

Generated, never written by hand: a summary table (claim | paper | measured | verdict |
data/budget | machine) that the README can paste, then one section per sweep, by claim id,
with the paper's number, the measured one with its seed spread and interval, the verdict,
the settings, the machine, the wall time and the sweep's figures (copied in beside the page as
``<sweep>-<figure>.png``), and the paper-vs-measured figure of :mod:`paper_report`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from alexnet_lab.overrides import shell_join
from alexnet_lab.record.atomic import copy_file, write_text
from alexnet_lab.results.derived import derived_spec, folder_records
from alexnet_lab.results.formats.summary import TRAIN_SIZE, ran_values
from alexnet_lab.results.page.page_facts import machine_text, sweep_facts, wall_text
from alexnet_lab.results.page.page_summary import (
    generated_line,
    not_run_lines,
    summary_table,
    write_readme_table,
)
from alexnet_lab.results.page.paper_report import Rows, paper_rows, write_paper_report
from alexnet_lab.results.verdict.claims import CLAIMS

PAGE, PAGE_HTML = "results.md", "results.html"
TITLE = "AlexNet (2012) ablations: the paper's claims as measured here"


def build_results_page(
    root: Path,
    out: Path,
    title: str | None = None,
    command: str | None = None,
    readme: Path | None = None,
) -> Path:
    """Write ``out/results.md`` and ``results.html``, the figures and the paper-vs-measured one.

    Each sweep's report is built first where its summary.json is missing or older than its
    records. A sweep that cannot be reported is named on the page; the others are reported.
    ``readme``: also rewrite the summary table between that README's results-table markers.
    """
    root, out = Path(root), Path(out)
    rows, broken = paper_rows(root, reuse=True)
    if not rows:
        raise FileNotFoundError(f"no sweep with a readable report below {root}")
    out.mkdir(parents=True, exist_ok=True)
    for row in rows:
        records, _ = folder_records(Path(row["sweep_dir"]))
        row["facts"] = sweep_facts(records)
        spec = derived_spec(Path(row["sweep_dir"]))
        if spec:
            row["derived_from"] = Path(spec["from"]).name
        row["figures"] = copy_figures(Path(row["sweep_dir"]), row["sweep"], out)
        row["report"] = copy_report(Path(row["sweep_dir"]), row["sweep"], out)
    write_paper_report(rows, out)  # after the copies: its links point at them
    command = command or shell_join(["alexnet-lab-report", "--all", str(root), "--out", str(out)])
    page = out / PAGE
    write_text(page, render_page(rows, broken, title or TITLE, command, out))
    write_text(out / PAGE_HTML, render_html(rows, broken, title or TITLE, command, out))
    write_summary_tables(rows, out)
    if readme is not None:
        write_readme_table(Path(readme), summary_table(rows))
    return page


def write_summary_tables(rows: Rows, out: Path) -> list[str]:
    """The summary table as ``results.csv`` and ``results.tex`` (booktabs) beside the page."""
    from alexnet_lab.results.formats.paper_tables import write_table
    from alexnet_lab.results.page.page_html import summary_rows

    table = summary_rows(summary_table(rows))
    return write_table(table, out, "results", "The paper's claims as measured here")


def figure_prefix(sweep: str) -> str:
    """The name a sweep's figures take on the page: its path below ROOT, ``/`` as ``-``."""
    return sweep.replace(os.sep, "-").replace("/", "-").strip("-.") or "sweep"


def copy_figures(sweep_dir: Path, sweep: str, out: Path) -> list[str]:
    """Copy the sweep's figures (PNG, SVG) into ``out`` as ``<sweep>-<figure>``; the PNG names."""
    names = []
    for png in sorted(sweep_dir.glob("*.png")):
        if png.name == "paper_report.png":
            continue
        name = f"{figure_prefix(sweep)}-{png.name}"
        copy_file(png, out / name)
        names.append(name)
        if png.with_suffix(".svg").exists():
            copy_file(png.with_suffix(".svg"), out / Path(name).with_suffix(".svg"))
    return names


def copy_report(sweep_dir: Path, sweep: str, out: Path) -> str:
    """Copy the sweep's report.md into ``out`` as ``<sweep>-report.md``; its new name.

    The page ships with its copies (the sweep folders stay on the machine that ran them), so
    the report's figure links are pointed at the copied ``<sweep>-<figure>.png`` files, and
    its tables (CSV, LaTeX) are copied beside it as ``<sweep>-<table>``.
    """
    prefix = figure_prefix(sweep)
    text = (sweep_dir / "report.md").read_text() if (sweep_dir / "report.md").exists() else ""
    text = re.sub(r"\]\(([\w.-]+\.(?:png|csv|tex))\)", lambda m: f"]({prefix}-{m.group(1)})", text)
    for table in [*sweep_dir.glob("table_*.csv"), *sweep_dir.glob("table_*.tex")]:
        copy_file(table, out / f"{prefix}-{table.name}")
    name = f"{prefix}-report.md"
    write_text(out / name, text)
    return name


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def spread_lines(summary: dict[str, Any]) -> list[str]:
    """Per setting and arm: the metric's mean and seed spread, and the selected values."""
    metric = summary.get("metric", "metric")
    lines = []
    for setting in summary["settings"]:
        label = "" if setting["label"] == "all runs" else f"{setting['label']}: "
        arms = []
        for arm in setting["arms"]:
            mean, std = arm.get("metric_mean"), arm.get("metric_std")
            value = "n/a" if mean is None else f"{mean:.3g}"
            value += f" ± {std:.2g}" if std is not None else ""
            notes = [f"n={arm.get('n')}"]
            notes += [f"{k}={v}" for k, v in (arm.get("selected") or {}).items()]
            if arm.get("censored"):
                value = "≥" + value
                notes.append(f"{arm['censored']} never reached the target")
            arms.append(f"{arm['arm']} {value} ({', '.join(notes)})")
        lines.append(f"  - {label}{metric} mean ± std over seeds: " + "; ".join(arms))
    return lines


def settings_text(summary: dict[str, Any]) -> str:
    """Model, data and its size, init, scale, the select-key grids, seeds, epochs, target."""
    ran = summary["what_ran"]

    def values(*keys: str) -> str:
        """The values of the first key that ran (a setting, else its override's name)."""
        for key in keys:
            found = ran_values(ran, key)
            if found:
                return ", ".join(map(str, found))
        return "?"

    parts = [f"model {values('model')}", f"data {values('data')}"]
    sizes = [n for n in ran_values(ran, TRAIN_SIZE) if n is not None]
    parts.append(f"{'/'.join(f'{int(n):,}' for n in sizes) or '?'} train images")
    parts += [f"init {values('init')}", f"scale {values('scale', 'data.scale')}"]
    for key in summary.get("select_keys") or []:
        parts.append(f"{key} grid {arm_grids(summary, key) or values(key)}")
    for key in summary.get("setting_keys") or []:
        parts.append(f"compared within each {key}: {values(key)}")
    parts.append(f"seeds {', '.join(map(str, ran['seeds']))}")
    parts.append(f"{values('max_epochs')} epochs")
    if summary.get("target_error") is not None:
        parts.append(f"target {float(summary['target_error']):.0%} train error")
    return "; ".join(parts)


def arm_grids(summary: dict[str, Any], key: str) -> str | None:
    """Each arm's own grid of ``key`` when the arms ran different ones, else None."""
    grids: dict[str, list[str]] = {}
    for setting in summary.get("settings") or []:
        for arm in setting.get("arms") or []:
            grid = (arm.get("grid") or {}).get(key)
            if grid:
                grids.setdefault(str(arm.get("arm")), [str(v) for v in grid])
    if len({tuple(g) for g in grids.values()}) < 2:
        return None
    return "; ".join(f"{arm} {', '.join(grid)}" for arm, grid in grids.items())


def warning_lines(summary: dict[str, Any]) -> list[str]:
    """Each setting's verdict warning (a grid edge that is not the reason), as sub-items."""
    settings = summary["settings"]
    named = len(settings) > 1
    return [
        f"  - {s['label'] + ': ' if named else ''}{s['verdict']['warning']}"
        for s in settings
        if (s.get("verdict") or {}).get("warning")
    ]


def sweep_section(row: dict[str, Any], out: Path) -> list[str]:
    """One sweep's section: paper, measured, verdict, settings, machine, time, figures."""
    summary, facts = row["summary"], row["facts"]
    claim = CLAIMS.get(row["claim"] or "")
    heading = f"{claim.id}: {claim.title}" if claim else "(no claim)"
    report = row.get("report") or os.path.relpath(Path(row["sweep_dir"]) / "report.md", out)
    lines = [f"### {heading} (`{row['sweep']}`)", ""]
    if facts["gpus"]:
        lines += [f"> GPU run: {' + '.join(facts['gpus'])}, {facts['date']}", ""]
    lines += [
        f"- **Paper:** {row['paper']}",
        f"- **Measured:** {row['measured']}",
        *spread_lines(summary),
        f"- **Verdict:** **{row['verdict']}**. {row['reason']}",
        *warning_lines(summary),
        f"- **Settings:** {settings_text(summary)}",
        f"- **Machine:** {machine_text(facts)}",
        f"- **Wall time:** {wall_text(facts)}",
    ]
    statuses = summary["what_ran"].get("statuses") or {}
    if set(statuses) - {"completed"}:
        lines.append("- **Runs:** " + ", ".join(f"{n} {s}" for s, n in statuses.items()))
    lines += [f"- **Sweep report:** [{report}]({report})", ""]
    lines += [f"![{row['sweep']}: {name}]({name})" for name in row["figures"]]
    return [*lines, ""]


def render_page(
    rows: Rows, broken: list[dict[str, str]], title: str, command: str, out: Path
) -> str:
    """The whole page's markdown (links relative to ``out``, where it is written)."""
    lines = [
        f"# {title}", "",
        generated_line(command, rows), "",
        "## Summary", "",
        *summary_table(rows), "",
        "![paper vs measured](paper_report.png)", "",
    ]  # fmt: skip
    lines += left_out_lines(rows, broken)
    lines += ["## Claims", ""]
    for row in rows:
        lines += sweep_section(row, out)
    return "\n".join(lines)


def render_html(
    rows: Rows, broken: list[dict[str, str]], title: str, command: str, out: Path
) -> str:
    """The page as one self-contained HTML file (``results.html``), its figures inlined."""
    from alexnet_lab.results.page.page_html import render_page_html, section_parts, sweep_figures

    sections = [(*section_parts(sweep_section(row, out)), sweep_figures(row)) for row in rows]
    return render_page_html(
        title,
        generated_line(command, rows),
        summary_table(rows),
        out / "paper_report.png",
        sections,
        left_out_lines(rows, broken),
    )


def left_out_lines(rows: Rows, broken: list[dict[str, str]]) -> list[str]:
    """The claims with no sweep on the page, and the sweeps whose report failed."""
    lines: list[str] = []
    missing = [c for c in CLAIMS if c not in {r["claim"] for r in rows}]
    if missing:
        on_cpu = not any(r["facts"]["gpus"] for r in rows)
        lines += not_run_lines(missing, on_cpu)
    if broken:
        lines += ["## Sweeps left out", "", "Their report could not be built:", ""]
        lines += [f"- `{b['sweep']}`: {b['reason']} (retry: `{b['command']}`)" for b in broken]
        lines.append("")
    return lines
