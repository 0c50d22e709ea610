"""``alexnet-lab-report``: a sweep's summary.json, report.md, PNG figures and rich table.

Run after every multirun by the Hydra callback, or by hand: ``alexnet-lab-report SWEEP_DIR``.
The work is done in ``sweep_report.py`` (one sweep) and ``page/paper_report.py`` (every sweep
below a folder); this module is the command line, and ``build_report``'s stable import path.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.markup import escape

from alexnet_lab.console import console, say_end
from alexnet_lab.errors import CommandEnd, Terminated, UserError
from alexnet_lab.folders.layout import parts, several_sweeps
from alexnet_lab.overrides import shell_join
from alexnet_lab.record.files import holds_records

__all__ = ["main"]  # and build_report, through __getattr__


def __getattr__(name: str) -> Any:
    """``build_report``, imported when asked for: the command loads matplotlib in its ``try``."""
    if name == "build_report":
        from alexnet_lab.results.sweep_report import build_report

        return build_report
    raise AttributeError(name)


#: ``--help``'s description: plain text (the docstring's reST markup would show as is)
DESCRIPTION = """\
Rebuild reports from run records.

  alexnet-lab-report SWEEP_DIR                 one sweep: summary.json, report.md, figures
  alexnet-lab-report A B ... [--out DIR]       sweeps of one claim side by side (by the
                                               settings that differ), in DIR
  alexnet-lab-report --all DIR                 every sweep below DIR, then DIR/paper_report.md
  alexnet-lab-report --all DIR --out PAGE_DIR  the results page PAGE_DIR/results.md"""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: the report's ending becomes its exit status (here only)."""
    try:
        report_command(argv)
    except CommandEnd as end:
        sys.exit(say_end(end))


def report_command(argv: list[str] | None = None) -> None:
    """``alexnet-lab-report SWEEP_DIR``: rebuild a sweep's report from its run records.

    ``alexnet-lab-report --all DIR``: every sweep below DIR, then one paper_report.md.
    ``alexnet-lab-report --all DIR --out PAGE_DIR``: the results page PAGE_DIR/results.md.
    """
    parser = argparse.ArgumentParser(
        prog="alexnet-lab-report",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "folder",
        type=Path,
        nargs="+",
        help="a sweep folder holding */record.json; several: one claim's sweeps side by side "
        "(with --all: any folder holding sweeps, e.g. multirun/)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="report every sweep below FOLDER and write FOLDER/paper_report.md",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="with --all: write the results page DIR/results.md, its figures and "
        "paper_report.md/png into this folder; with several sweeps: the side-by-side view's "
        "folder (default: side_by_side beside them)",
    )
    parser.add_argument("--title", help="with --out: the results page's title")
    parser.add_argument(
        "--readme",
        type=Path,
        help="with --out: also rewrite the summary table between this README's "
        "results-table markers",
    )
    parser.add_argument(
        "--example",
        type=Path,
        help="with --readme: also rewrite the README's main-job example (between its "
        "main-job-result markers) from this sweep's records (e.g. examples/main_job)",
    )
    parser.add_argument(
        "--claim",
        help="read this claim off the sweep's runs, into the folder <FOLDER>-<claim> beside it "
        "(C7: the ten patches vs the centre crop, on the runs trained on random crops)",
    )
    parser.add_argument("--quiet", action="store_true", help="write the files, print no table")
    parser.add_argument(
        "--wandb",
        action="store_true",
        help="also log the comparison to W&B as a summary run in the sweep's group",
    )
    args = parser.parse_args(argv)
    several = len(args.folder) > 1
    if args.claim and (args.all or several):
        parser.error("--claim reads one sweep's runs: give its folder alone, without --all")
    if several and args.all:
        parser.error("--all takes one folder (the one that holds the sweeps)")
    if args.example and not args.readme:
        parser.error("--example rewrites a README's block: give --readme README.md with it")
    if (args.title or args.readme or (args.out and not several)) and not args.all:
        parser.error("--out and --title go with --all (the results page of many sweeps)")
    if several:
        side_by_side(args.folder, args.out, args.quiet)
        return
    args.folder = args.folder[0]
    command = shell_join(["alexnet-lab-report", *(sys.argv[1:] if argv is None else argv)])
    before = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _on_sigterm)  # SIGTERM too ends in the paragraph below
    try:
        _report(args, command)
    except KeyboardInterrupt:
        raise _interrupted(args, command, 130) from None
    except Terminated:
        raise _interrupted(args, command, 143) from None
    finally:  # as it was (a caller's own, e.g. a test's)
        signal.signal(signal.SIGTERM, before)


def unwritable(folder: Path) -> str | None:
    """Why no file can be created in ``folder`` (or the nearest folder above it that exists)."""
    existing = Path(folder).resolve()
    while not existing.is_dir() and existing != existing.parent:
        existing = existing.parent
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _unwritable_paragraph(args: argparse.Namespace, target: Path, why: str) -> str:
    elsewhere = (
        " Or write the results page elsewhere: "
        + shell_join(["alexnet-lab-report", "--all", str(args.folder), "--out", "DIR"])
        if args.all and not args.out
        else ""
    )
    return (
        f"{target} cannot be written ({why}), so the report was not built; the run records "
        f"were only read and are intact. Make {target} writable, then run this command "
        f"again.{elsewhere}"
    )


def remove_stale_partials(args: argparse.Namespace) -> None:
    """Remove the partial files an earlier report left (killed) where no command runs now."""
    from alexnet_lab.folders.lock import held_by_another_live_command
    from alexnet_lab.record.atomic import PARTIAL, remove_partial

    for root in (args.folder, *([args.out] if args.out else [])):
        root = Path(root)
        if not root.is_dir():
            continue
        found = root.rglob(f".*{PARTIAL}*") if args.all else root.glob(f".*{PARTIAL}*")
        for folder in {p.parent for p in found}:
            if not any(held_by_another_live_command(f) for f in (folder, *folder.parents)):
                remove_partial(folder)


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated(f"received signal {signum} (SIGTERM)")


def _interrupted(args: argparse.Namespace, command: str, code: int) -> CommandEnd:
    """Ctrl-C or SIGTERM during a report: its partial files removed; the rebuild command."""
    from alexnet_lab.record.atomic import PARTIAL, remove_partial

    folders = [args.folder, *([args.out] if args.out else [])]
    for folder in folders:
        if Path(folder).is_dir():
            remove_partial(folder)
            if args.all:
                for sub in {p.parent for p in Path(folder).rglob(f".*{PARTIAL}*")}:
                    remove_partial(sub)
    return CommandEnd(
        code,
        "report interrupted",
        f"the report of {args.folder} was stopped before it was complete; its partial files "
        f"were removed and the run records are intact. Rebuild it with: {command}",
    )


def _report(args: argparse.Namespace, command: str) -> None:
    """The report that ``args`` ask for; a missing folder or a full disk is a paragraph."""
    from alexnet_lab.results.formats.terminal import print_paper_table
    from alexnet_lab.results.page.paper_report import build_paper_report
    from alexnet_lab.results.sweep_report import build_report

    target = Path(args.out or args.folder)
    if Path(args.folder).is_dir():
        why = unwritable(target)
        if why:
            raise CommandEnd(2, "cannot write", _unwritable_paragraph(args, target, why))
        remove_stale_partials(args)
    try:
        if args.all and args.out:
            from alexnet_lab.results.page.page import build_results_page

            page = build_results_page(args.folder, args.out, args.title, command, args.readme)
            if args.example:
                from alexnet_lab.results.page.readme_example import write_example

                write_example(args.readme, args.example)
            if not args.quiet:
                console.print(escape(f"results page: {page}"), soft_wrap=True)
        elif args.all:
            rows = build_paper_report(args.folder)
            if not args.quiet:
                print_paper_table(rows, args.folder)
        else:
            units = parts(args.folder)
            if units:  # a folder of sweeps: one report would merge them
                raise CommandEnd(2, "several sweeps", several_sweeps(args.folder, units))
            if args.claim:
                from alexnet_lab.results.derived import write_derived

                args.folder = write_derived(args.folder, args.claim)
            build_report(args.folder, quiet=args.quiet)
            if args.wandb:
                from alexnet_lab.results.formats.wandb_summary import log_sweep_summary

                info = log_sweep_summary(args.folder)
                if info:
                    text = f"W&B summary run: {info.get('sync') or info.get('url')}"
                    console.print(escape(text), soft_wrap=True)
    except UserError as exc:
        raise CommandEnd(2, "bad option", str(exc)) from None
    except FileNotFoundError as exc:
        if args.all and holds_records(args.folder):  # sweeps there, each left out (said above)
            raise CommandEnd(
                1,
                "no report",
                f"every sweep below {args.folder} was left out; each is named above with why. "
                "Fix or remove their records (or make their folders writable), then run this "
                "command again.",
            ) from None
        raise CommandEnd(
            2,
            "no report",
            f"{exc}. Give the folder of a sweep (multirun/<date>/<time>) whose runs wrote "
            "record.json, or with --all a folder that holds such sweeps.",
        ) from None
    except OSError as exc:
        from alexnet_lab.folders.disk import is_disk_full

        if not is_disk_full(exc):
            raise CommandEnd(
                2,
                "cannot write",
                f"the report of {args.folder} could not be written: {exc}. The run records "
                "are intact. Make that folder writable (or give --all ... --out a folder you "
                "can write to), then run this command again.",
            ) from None
        raise CommandEnd(
            1,
            "disk full",
            f"the report of {args.folder} could not be written: {exc}. Every file of it is "
            "either the previous one or none (each is written whole or not at all), and the "
            "run records are intact. Free space on that disk, then run this command again.",
        ) from None


def side_by_side(folders: list[Path], out: Path | None, quiet: bool) -> None:
    """``alexnet-lab-report A B ...``: one claim's sweeps in one view; other claims refused."""
    from alexnet_lab.results.page.side_by_side import MixedClaims, build_side_by_side

    try:
        written = build_side_by_side(folders, out, quiet)
    except MixedClaims as exc:
        raise CommandEnd(2, "different claims", str(exc)) from None
    except FileNotFoundError as exc:
        raise CommandEnd(
            2, "no report", f"{exc}. Give sweep folders whose runs wrote record.json."
        ) from None
    if not quiet:
        console.print(escape(f"side-by-side view: {written / 'report.html'}"), soft_wrap=True)


if __name__ == "__main__":
    main()
