"""Several sweeps of one claim in one view: ``alexnet-lab-report A B ...``.

The sweeps' runs are compared as one sweep whose settings are what tells the sweeps apart
(``init=paper`` against ``init=torch``; the folder's name where nothing does), so each setting
gets its own verdict, panel and row, side by side. Every file of the view says which runs came
from which folder. Sweeps of different claims are refused: their arms and measures differ.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alexnet_lab.overrides import shell_join
from alexnet_lab.record.files import RecordError
from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.formats.summary import TRAIN_SIZE, what_ran
from alexnet_lab.results.formats.sweep_html import continue_commands
from alexnet_lab.results.sweep_report import sweep_records, write_report

#: the folder the view goes to, below the sweeps' common parent, unless ``--out`` says
DEFAULT_FOLDER = "side_by_side"


class MixedClaims(ValueError):
    """The sweeps test different claims (or some none): one paragraph saying what to do."""


def default_out(folders: list[Path]) -> Path:
    """``<the sweeps' common parent>/side_by_side``."""
    parent = Path(os.path.commonpath([str(Path(f).resolve().parent) for f in folders]))
    return parent / DEFAULT_FOLDER


def differing(fixed: list[dict[str, Any]]) -> list[str]:
    """The settings whose value tells the sweeps apart (each held fixed within its sweep)."""
    keys = list(dict.fromkeys(k for f in fixed for k in f))
    return [k for k in keys if len({str(f.get(k, "-")) for f in fixed}) > 1]


def tagged(record: RunRecord, values: dict[str, str]) -> RunRecord:
    """The record with ``key=value`` overrides for the settings its own overrides do not name."""
    named = {o.partition("=")[0].split(".")[-1] for o in record.overrides}
    extra = [f"{k}={v}" for k, v in values.items() if k not in named]
    return record.replace(overrides=[*record.overrides, *extra])


def mixed_claims_paragraph(claims: dict[Path, str | None]) -> str:
    """Why sweeps of different claims are not pooled, and what to run instead."""
    named = "; ".join(f"{folder}: {claim or 'no claim'}" for folder, claim in claims.items())
    first = next(iter(claims))
    root = os.path.commonpath([str(Path(f).resolve()) for f in claims])
    return (
        f"these sweeps test different claims ({named}). A side-by-side view compares one "
        "claim's arms under different settings; pooling claims would mix their arms and what "
        "they measure, so nothing was written. Give sweeps of one claim (e.g. C1 under "
        "init=paper and init=torch), report each on its own "
        f"({shell_join(['alexnet-lab-report', str(first)])}), or put every claim on one "
        f"page: {shell_join(['alexnet-lab-report', '--all', root, '--out', 'docs'])}"
    )


def build_side_by_side(folders: list[Path], out: Path | None = None, quiet: bool = False) -> Path:
    """Report the sweeps in ``folders`` (one claim) as one view in ``out``; the folder written.

    Raises :class:`MixedClaims` for sweeps of different claims and ``FileNotFoundError`` for a
    folder without readable records.
    """
    folders = [Path(f) for f in folders]
    read = {f: sweep_records(f) for f in folders}
    claims = {f: records[0].claim for f, (records, _) in read.items()}
    if len(set(claims.values())) > 1 or None in claims.values():
        raise MixedClaims(mixed_claims_paragraph(claims))
    first = read[folders[0]][0][0]
    arm = (first.arm_group or "").split(",")
    fixed = []
    for runs, _ in read.values():
        settings = what_ran(runs, exclude=arm)["fixed"]
        settings["train_size"] = settings.pop(TRAIN_SIZE, None)
        fixed.append({k: v for k, v in settings.items() if v is not None})
    keys = differing(fixed) or ["sweep"]
    pooled: list[RunRecord] = []
    unreadable: list[RecordError] = []
    sources = []
    for (folder, (runs, bad)), settings in zip(read.items(), fixed, strict=True):
        values = {k: str(settings.get(k, "-")) for k in keys if k != "sweep"}
        if keys == ["sweep"]:
            values = {"sweep": folder.name}
        pooled += [tagged(r, values) for r in runs]
        unreadable += bad
        commands = continue_commands(folder, runs)
        sources.append({"folder": str(folder), "runs": len({r.run_id for r in runs}),
                        "settings": values, "records": [r.path for r in runs],
                        "report": commands["report"], "resume": commands["resume"]})  # fmt: skip
    out = Path(out) if out else default_out(folders)
    out.mkdir(parents=True, exist_ok=True)
    write_report(pooled, unreadable, out, quiet=quiet, sources=sources)
    return out
