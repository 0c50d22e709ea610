"""A folder that holds runs is never written by a new command unless the command says so.

A sweep folder (``hydra.sweep.dir``) or a run folder (``hydra.run.dir``) with run records in it
belongs to the command that made them. A new command into it must say what it means:
``resume=true`` finishes what is missing there (:mod:`alexnet_lab.run.resume`); ``replace=true``
moves the old runs aside, into the sibling folder ``<folder>.replaced-<time>`` (never deleting
anything; ``alexnet-lab-report --all`` leaves such folders out), and starts over. Without
either it stops before any job, with one paragraph that names both, and nothing in the folder
changes. Checked by the folder-lock callback once the folder is locked
(:mod:`alexnet_lab.sweep.hydra_callbacks`), so no other command can add runs meanwhile.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from alexnet_lab.errors import UserError
from alexnet_lab.folders.layout import REPLACED
from alexnet_lab.folders.lock import LOCK_NAME
from alexnet_lab.folders.made import FOUND_NAME
from alexnet_lab.overrides import hydra_quote, shell_join
from alexnet_lab.record.files import record_paths

#: the option that moves a used folder's runs aside
REPLACE = "replace"


def previous_records(folder: Path) -> list[Path]:
    """Every run record (``record.json``) below ``folder``, whatever its status."""
    if not folder.is_dir():
        return []
    return record_paths(folder)


def record_status(path: Path) -> str:
    """The ``status`` a run record states; ``unreadable`` when it cannot be read."""
    try:
        status = json.loads(path.read_text()).get("status")
    except (OSError, ValueError, AttributeError):
        return "unreadable"
    return str(status or "unreadable")


def describe(records: list[Path]) -> str:
    """``3 run records (2 completed, 1 failed)``."""
    counts = Counter(record_status(p) for p in records)
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return f"{len(records)} run record{'s' if len(records) != 1 else ''} ({parts})"


def aside_folder(folder: Path, when: datetime | None = None) -> Path:
    """Where ``replace=true`` moves the runs of ``folder``: ``<folder>.replaced-<time>``."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    aside = folder.with_name(f"{folder.name}{REPLACED}{stamp}")
    n = 2
    while aside.exists():
        aside = folder.with_name(f"{folder.name}{REPLACED}{stamp}-{n}")
        n += 1
    return aside


def refusal(folder: Path, records: list[Path], multirun: bool, argv: list[str]) -> str:
    """The paragraph for a new command into a used folder: both fixes, as commands to paste."""
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    kept = [a for a in argv if not a.startswith(("resume=", f"{REPLACE}=", f"{key}="))]
    where = f"{key}={hydra_quote(str(folder))}"
    resume = shell_join(["alexnet-lab", *kept, "resume=true", where])
    replace = shell_join(["alexnet-lab", *kept, f"{REPLACE}=true", where])
    what = "sweep" if multirun else "run"
    return (
        f"{folder} already holds {describe(records)} of an earlier command, which this {what} "
        "would overwrite, so it started nothing and changed nothing there. To finish what is "
        "missing there, run the command that made them again with resume=true (completed "
        f"runs are kept; for this command: {resume} ). To start over and keep the old runs, "
        f"add replace=true: they are moved to {aside_folder(folder)} first, nothing is "
        f"deleted ({replace} ). Or give this command its own folder ({key}=...)."
    )


def move_aside(folder: Path) -> Path:
    """Move everything in ``folder`` but its lock (and note) into a new sibling folder; return it.

    Each entry is renamed (same file system: nothing is copied, nothing deleted).
    """
    cwd = Path.cwd().resolve()
    if folder == cwd or folder in cwd.parents:
        raise UserError(
            f"replace=true would move the working folder's contents ({folder}) aside. Give "
            "the command a folder of its own instead (hydra.sweep.dir=... or hydra.run.dir=...)."
        )
    aside = aside_folder(folder)
    aside.mkdir()
    for entry in sorted(folder.iterdir()):
        if not entry.name.startswith(LOCK_NAME) and entry.name != FOUND_NAME:
            os.rename(entry, aside / entry.name)
    return aside


def check_folder(folder: Path, *, resume: bool, replace: bool, multirun: bool) -> Path | None:
    """Refuse (:class:`UserError`) a new command into a used folder; move it aside if asked.

    Returns the folder the old runs were moved to (``replace=true``), else None.
    """
    folder = folder.resolve()
    if resume and replace:
        raise UserError(
            "resume=true and replace=true contradict each other: resume=true finishes the "
            f"runs in {folder}, replace=true moves them aside to start over. Choose one."
        )
    records = previous_records(folder)
    if not records or resume:
        return None
    if not replace:
        raise UserError(refusal(folder, records, multirun, sys.argv[1:]))
    return move_aside(folder)
