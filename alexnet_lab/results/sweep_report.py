"""One sweep's report: its records compared into summary.json, report.md, report.html, figures."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from alexnet_lab.errors import Terminated
from alexnet_lab.folders.lock import held_by_another_live_command
from alexnet_lab.overrides import shell_join
from alexnet_lab.record.atomic import write_text
from alexnet_lab.record.files import RecordError, holds_records, strict_json
from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.derived import folder_records
from alexnet_lab.results.figures.curves import plot_training_curves
from alexnet_lab.results.figures.final_errors import plot_final_errors
from alexnet_lab.results.figures.lr_sensitivity import LR_PNG, plot_lr_sensitivity
from alexnet_lab.results.figures.style import panel_name, svg_path
from alexnet_lab.results.formats.markdown import CURVES_PNG, ERRORS_PNG, render_markdown
from alexnet_lab.results.formats.paper_tables import write_tables
from alexnet_lab.results.formats.summary import summarise
from alexnet_lab.results.formats.sweep_html import REPORT_HTML, render_sweep_html, source_lines
from alexnet_lab.results.formats.terminal import print_table
from alexnet_lab.results.verdict.compare import compare


def sweep_records(sweep_dir: Path) -> tuple[list[RunRecord], list[RecordError]]:
    """The sweep's readable run records and those it cannot read; none readable: an error.

    A record left at "running" belongs to a process that was killed (it reads as
    ``interrupted``), unless the command that writes the sweep still runs.
    """
    sweep_dir = Path(sweep_dir)
    records, unreadable = folder_records(sweep_dir)
    if not records:
        if unreadable:
            raise FileNotFoundError(
                f"no readable run records below {sweep_dir}: {name_unreadable(unreadable)}"
            )
        raise FileNotFoundError(f"no run records (record.json) below {sweep_dir}")
    if not held_by_another_live_command(sweep_dir):
        records = [r.replace(status="interrupted") if r.status == "running" else r for r in records]
    return records, unreadable


@functools.cache
def report_code() -> str:
    """A fingerprint of the code that reads records into a summary (``record/``, ``results/``).

    summary.json carries it (``report_code``); a summary written by other code is built again
    rather than reused, so a changed verdict rule reaches every regenerated page.
    """
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha1()
    for path in sorted([*(package / "record").rglob("*.py"), *(package / "results").rglob("*.py")]):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build_report(sweep_dir: Path, quiet: bool = False) -> dict[str, Any]:
    """Read the sweep's run records and write its summary, figures, report.md and report.html.

    Records that cannot be read (cut short, not a record) are listed as ``unreadable``, with
    path and reason, in summary.json, report.md and the terminal; the rest are reported.
    """
    records, unreadable = sweep_records(Path(sweep_dir))
    return write_report(records, unreadable, Path(sweep_dir), quiet)


def write_report(
    records: list[RunRecord],
    unreadable: list[RecordError],
    sweep_dir: Path,
    quiet: bool = False,
    sources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Compare ``records`` and write the report's files into ``sweep_dir``; the summary.

    ``sources``: for a view of several sweeps, which folder each run came from (its
    ``folder``, ``runs``, ``settings`` and the commands of its own report), said in every file.
    """
    first = records[0]
    comparison = compare(
        records,
        claim_id=first.claim,
        arm_key=first.arm_group,
        select_keys=first.select_keys,
        replicate_keys=first.replicate_keys,
    )
    target = first.target_error
    plot_training_curves(comparison, target, sweep_dir / CURVES_PNG)
    plot_final_errors(comparison, sweep_dir / ERRORS_PNG, target)
    figures = [CURVES_PNG, ERRORS_PNG]
    if plot_lr_sensitivity(comparison, target, sweep_dir / LR_PNG) is not None:
        figures.append(LR_PNG)
    else:  # left from an earlier report
        for stale in (sweep_dir / LR_PNG, svg_path(sweep_dir / LR_PNG)):
            stale.unlink(missing_ok=True)
    summary = summarise(comparison, target, figures)
    summary["curve_panels"] = [panel_name(comparison, s) for s in comparison.settings]
    summary["unreadable"] = [{"record": e.path, "reason": e.reason} for e in unreadable]
    summary["tables"] = write_tables(comparison, target, sweep_dir)
    summary["report_code"] = report_code()
    if sources:
        summary["sources"] = sources
    write_text(sweep_dir / "summary.json", strict_json(summary))  # NaN/inf: null
    markdown = render_markdown(comparison, summary)
    if sources:
        markdown += "\n" + "\n".join(source_lines(sources)) + "\n"
    if unreadable:
        markdown += "\n## Unreadable records\n\nLeft out of the comparison above:\n\n"
        markdown += "".join(f"- `{e.path}`: {e.reason}\n" for e in unreadable)
    write_text(sweep_dir / "report.md", markdown)
    page = render_sweep_html(comparison, summary, sweep_dir, unreadable, sources)
    write_text(sweep_dir / REPORT_HTML, page)
    if not quiet:
        print_table(comparison, summary, sweep_dir)
    if unreadable:
        from rich.markup import escape

        from alexnet_lab.console import err_console

        err_console.print(
            f"[yellow]{len(unreadable)} unreadable record(s) left out of the report:[/] "
            + escape(name_unreadable(unreadable)),
            soft_wrap=True,
        )
    return summary


def name_unreadable(unreadable: list[RecordError]) -> str:
    """The unreadable records in words: each path and why it cannot be read."""
    return "; ".join(f"{e.path} ({e.reason})" for e in unreadable)


#: what :func:`write_sweep_report` returns when Ctrl-C or SIGTERM stopped it
INTERRUPTED = "interrupted"


def write_sweep_report(
    sweep_dir: Path, announce: bool = True, failed: list[str] | None = None
) -> str | None:
    """Build the sweep's report and its W&B summary run; None, or why it is not there.

    A failure is a paragraph (unless ``announce`` is false: the caller says it), not a
    traceback, and makes the command exit non-zero; the run records stay intact. Every file
    is written atomically; Ctrl-C or SIGTERM part-way removes what is partial, prints the
    command that rebuilds the report and returns :data:`INTERRUPTED`. A failure's line is
    added to ``failed`` (the command's list of failed jobs), when given.
    """
    from alexnet_lab.console import print_error
    from alexnet_lab.record.atomic import remove_partial

    if not holds_records(sweep_dir):
        return None
    rebuild = shell_join(["alexnet-lab-report", str(sweep_dir.resolve())])
    try:
        build_report(sweep_dir)
        log_report_to_wandb(sweep_dir)
    except (KeyboardInterrupt, Terminated):
        remove_partial(sweep_dir)
        print_error(
            "report interrupted",
            f"the report of {sweep_dir} was stopped before it was complete; its partial files "
            f"were removed and the run records are intact. Rebuild it with: {rebuild}",
        )
        return INTERRUPTED
    except Exception as exc:  # Hydra would only warn: make it visible and fail the command
        remove_partial(sweep_dir)
        reason = f"{type(exc).__name__}: {exc}"
        if announce:
            print_error(
                "no sweep report",
                f"building the report of {sweep_dir} failed ({reason}). "
                f"The run records are intact; rebuild it with: {rebuild}",
            )
        if failed is not None:
            failed.append(f"sweep report of {sweep_dir} -> {reason}")
        return reason
    return None


def log_report_to_wandb(sweep_dir: Path) -> None:
    """When the sweep's runs logged to W&B, add its comparison as a summary run in their group."""
    from rich.markup import escape

    from alexnet_lab.console import console
    from alexnet_lab.results.formats.wandb_summary import log_sweep_summary, used_wandb

    if not used_wandb(folder_records(sweep_dir)[0]):
        return
    info = log_sweep_summary(sweep_dir)
    if info and info.get("sync"):
        text = f"W&B summary run (offline); upload with: {info['sync']}"
        console.print(escape(text), soft_wrap=True)
