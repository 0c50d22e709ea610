"""``report.html``: one sweep's report as a single self-contained page.

The verdict first, then the tables, the figures (inlined), what ran and what was held fixed,
the runs that failed, did not learn or never reached the target (by name), and the commands
that resume the sweep or extend it. Nothing is loaded from elsewhere: the file can be mailed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alexnet_lab.overrides import hydra_quote, shell_join, task_overrides
from alexnet_lab.record.files import RecordError
from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.formats.html import (
    esc,
    figure,
    markdown_lines,
    markdown_sections,
    page,
    table,
    verdict_class,
)
from alexnet_lab.results.formats.markdown import (
    method_lines,
    not_learning_line,
    verdict_lines,
    what_ran_lines,
)
from alexnet_lab.results.formats.tables import arm_table, setting_table
from alexnet_lab.results.verdict.arms import Comparison

REPORT_HTML = "report.html"
#: the figures' captions, by file
CAPTIONS = {
    "training_curves.png": "Training curves: running training error per epoch, per arm",
    "final_errors.png": "What the claim measures, per seed and arm, with the mean's interval",
    "lr_sensitivity.png": "Sensitivity to the tuned value, per arm",
}


def sweep_arguments(sweep_dir: Path, records: list[RunRecord]) -> list[str]:
    """The overrides that ran this sweep: Hydra's ``multirun.yaml``, else the records'.

    From the records, each key's values are joined into one sweep override (``seed=0,1``),
    the experiment first.
    """
    marked = Path(sweep_dir) / "multirun.yaml"
    if marked.exists():
        import yaml

        try:
            task = yaml.safe_load(marked.read_text())["hydra"]["overrides"]["task"]
            return task_overrides([str(t) for t in task])
        except (OSError, KeyError, TypeError, yaml.YAMLError):
            pass  # the records below say as much
    values: dict[str, list[str]] = {}
    experiment = next((r.experiment for r in records if r.experiment), None)
    for record in records:
        for override in task_overrides(list(record.overrides)):
            key, _, value = override.partition("=")
            if value not in values.setdefault(key, []):
                values[key].append(value)
    args = [f"experiment={experiment}"] if experiment and "experiment" not in values else []
    return args + [f"{k}={','.join(v)}" for k, v in values.items()]


def continue_commands(sweep_dir: Path, records: list[RunRecord]) -> dict[str, str]:
    """The commands that resume the sweep (finish what is missing) and extend it (more seeds)."""
    folder = f"hydra.sweep.dir={hydra_quote(str(Path(sweep_dir).resolve()))}"
    args = [a for a in sweep_arguments(sweep_dir, records) if not a.startswith("hydra.")]
    resume = shell_join(["alexnet-lab", "-m", *args, "resume=true", folder])
    seeds = sorted({r.seed for r in records if r.seed is not None})
    more = [*seeds, *range(max(seeds, default=-1) + 1, max(seeds, default=-1) + 3)]
    grown = [a for a in args if not a.startswith("seed=")]
    grown.append("seed=" + ",".join(map(str, more)))
    extend = shell_join(["alexnet-lab", "-m", *grown, "resume=true", folder])
    report = shell_join(["alexnet-lab-report", str(Path(sweep_dir).resolve())])
    return {"resume": resume, "extend": extend, "report": report}


def censored_runs(comparison: Comparison) -> list[RunRecord]:
    """The completed runs whose value of the claim's measure is only a bound (never reached)."""
    metric = comparison.metric
    return [
        r for r in comparison.records if r.completed and metric.value(r)[0] is not None
        and metric.value(r)[1]
    ]  # fmt: skip


def run_and_record(record: RunRecord) -> str:
    """``activation=tanh optim.lr=0.01 seed=1`` (the run's overrides) and its record."""
    name = " ".join(task_overrides(list(record.overrides))) or "(defaults)"
    return f"`{name}` (`{record.path}`)"


def runs_section(comparison: Comparison, summary: dict[str, Any]) -> list[str]:
    """The runs the comparison could not count as ordinary ones, each named (Markdown lines)."""
    lines: list[str] = []
    failed = summary.get("failed_runs") or []
    if failed:
        lines += ["", "## Runs that did not complete", ""]
        lines += [
            f"- `{f['record']}`: {f['status']}" + (f": {f['error']}" if f["error"] else "")
            for f in failed
        ]
    if summary.get("not_learning_runs"):
        lines += ["", "## Runs that did not learn", ""]
        lines += ["Their running training error sat at chance (the majority-class error):", ""]
        lines += [not_learning_line(n) for n in summary["not_learning_runs"]]
    censored = censored_runs(comparison)
    if censored:
        budget = {r.max_epochs for r in censored}
        lines += ["", "## Runs that never reached the target (censored)", ""]
        lines += [
            f"Counted as more than their budget ({', '.join(map(str, sorted(budget)))} epochs): "
            "a lower bound, drawn hollow in the figures.",
            "",
        ]
        lines += [f"- {run_and_record(r)}" for r in censored]
    return lines


def render_sweep_html(
    comparison: Comparison,
    summary: dict[str, Any],
    sweep_dir: Path,
    unreadable: list[RecordError] | None = None,
    sources: list[dict[str, Any]] | None = None,
) -> str:
    """The sweep's ``report.html``: verdict, tables, figures, what ran, odd runs, commands.

    ``sources`` (a view of several sweeps): the folders the runs came from, each with the
    commands of its own, in place of one sweep's commands.
    """
    claim = comparison.claim
    sweep_dir = Path(sweep_dir)
    title = f"{claim.id}: {claim.title} (section {claim.section})" if claim else comparison.title
    overall = (summary.get("verdict") or {}).get("verdict")
    parts = [f"<h1>{esc(title)}</h1>"]
    if claim:
        parts.append(f"<p><strong>Paper:</strong> {esc(claim.paper)}.</p>")
    verdict = markdown_lines(verdict_lines(comparison, summary))
    parts.append(f'<section id="verdict" class="{verdict_class(overall)}"><h2>Verdict</h2>'
                 f"{verdict}</section>")  # fmt: skip
    parts.append("<h2>Results</h2>" + table(*arm_table(comparison, summary["target_error"])))
    if claim:
        parts.append("<h2>Per setting</h2>" + table(*setting_table(comparison)))
    parts.append("<h2>Figures</h2>")
    for name in summary.get("figures") or []:
        parts.append(figure(sweep_dir / name, CAPTIONS.get(name, name)))
    ran = ["## What ran", "", *what_ran_lines(comparison, summary), ""]
    ran += method_lines(comparison, summary["target_error"])
    parts.append(markdown_sections(ran))
    odd = runs_section(comparison, summary)
    if unreadable:
        odd += ["", "## Unreadable records", "", "Left out of the comparison above:", ""]
        odd += [f"- `{e.path}`: {e.reason}" for e in unreadable]
    parts.append(markdown_sections(odd))
    if sources:
        parts.append(markdown_sections(source_lines(sources)))
        parts.append(f'<h2>Files</h2><p class="files">{_links(sweep_dir)}</p>')
        return page(title, "\n".join(parts))
    commands = continue_commands(sweep_dir, comparison.records)
    parts.append(
        "<h2>Resume or extend</h2>"
        "<p>Finish what is missing (completed runs are kept):</p>"
        f"<pre>{esc(commands['resume'])}</pre>"
        "<p>Add seeds (here two more; the runs that exist are kept):</p>"
        f"<pre>{esc(commands['extend'])}</pre>"
        f"<p>Rebuild this report from the run records:</p><pre>{esc(commands['report'])}</pre>"
    )
    parts.append(f'<h2>Files</h2><p class="files">{_links(sweep_dir)}</p>')
    return page(title, "\n".join(parts))


def _links(folder: Path) -> str:
    """Links to the report's other files beside it."""
    files = [n for n in FILES if (folder / n).exists() or n in ("summary.json", "report.md")]
    return " ".join(f'<a href="{esc(n)}">{esc(n)}</a>' for n in files)


def source_lines(sources: list[dict[str, Any]]) -> list[str]:
    """Markdown: the sweeps of a side-by-side view, where each run came from, their commands."""
    lines = ["## Sweeps in this view", ""]
    lines += ["Each sweep's runs, by folder, and the settings that tell the sweeps apart:", ""]
    for source in sources:
        settings = ", ".join(f"{k}={v}" for k, v in source["settings"].items()) or "-"
        lines.append(f"- `{source['folder']}`: {source['runs']} runs; {settings}")
        lines.append(f"  - its own report: `{source['report']}`")
        lines.append(f"  - resume it: `{source['resume']}`")
    return lines


#: the files beside report.html that it links (those present)
FILES = ["report.md", "summary.json", "table_arms.csv", "table_arms.tex",
         "table_comparison.csv", "table_comparison.tex"]  # fmt: skip
