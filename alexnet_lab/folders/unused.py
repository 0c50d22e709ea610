"""Removing what a refused run (or sweep) made, and nothing else.

A job that cannot start (a bad value, missing data) trained nothing: what it wrote would only
be clutter beside the paragraph that says why. It removes exactly what its command made, as
the command's note says (:mod:`alexnet_lab.folders.made`): the files and folders that were not
there before, and the folders it created once they are empty. Whatever was there before stays
(a user's own files, ``hydra.run.dir=.``'s working folder, the records of earlier runs), and
without a note nothing is removed. Light on purpose (no torch), so a single run's early checks
(:mod:`alexnet_lab.run.early_checks`) can use it before the run's modules load.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from alexnet_lab.folders import made
from alexnet_lab.folders.layout import SWEEP_MARK
from alexnet_lab.folders.used_folder import previous_records, record_status

__all__ = ["discard_unstarted_run", "discard_unstarted_sweep", "remove_unused_folder"]

#: what a sweep writes before its first job: kept only while a job left something
SWEEP_FILES = (SWEEP_MARK, ".parallel")


def discard_unstarted_run(output_dir: Path) -> None:
    """Remove what the run in ``output_dir`` made; it stopped before its first epoch.

    A folder the command made goes whole (then its parents that it made, once empty); in a
    folder that was there before, only the entries that were not.
    """
    output_dir = Path(os.path.abspath(output_dir))
    found = made.read(output_dir)
    if found is None or not output_dir.is_dir():
        return
    existed = found.existed(output_dir)
    if existed is False:
        if not _holds_other_records(output_dir):
            shutil.rmtree(output_dir, ignore_errors=True)
            _remove_made_parents(output_dir, found)
        return
    if existed:
        _remove_new_entries(output_dir, found, keep=made.OWN)


#: the same removal, for a run refused before anything of it ran (a bad value, W&B)
remove_unused_folder = discard_unstarted_run


def discard_unstarted_sweep(sweep_dir: Path) -> None:
    """Remove what a sweep made when no job of it left anything (its first job was refused)."""
    sweep_dir = Path(os.path.abspath(sweep_dir))
    found = made.read(sweep_dir)
    if found is None or found.root != sweep_dir or not sweep_dir.is_dir():
        return
    before = set(found.names.get("", []))
    new = [p for p in sweep_dir.iterdir() if p.name not in before and p.name not in made.OWN]
    if any(p.name not in SWEEP_FILES for p in new):
        return  # a job's folder: the sweep's files stay with it
    if found.existed(sweep_dir) is False:
        shutil.rmtree(sweep_dir, ignore_errors=True)
        _remove_made_parents(sweep_dir, found)
    else:
        _remove_new_entries(sweep_dir, found, keep=made.OWN)


def _remove_new_entries(folder: Path, found: made.Found, keep: tuple[str, ...]) -> None:
    """Remove the entries of ``folder`` that were not there before (known from the note)."""
    before = found.names_in(folder)
    if before is None:
        return
    for entry in folder.iterdir():
        if entry.name in before or entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            if not _holds_other_records(entry, own=False):
                shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _holds_other_records(folder: Path, own: bool = True) -> bool:
    """Whether ``folder`` holds a completed run's record (other than its own, if ``own``)."""
    mine = folder / "record.json"
    return any(
        record_status(p) == "completed" for p in previous_records(folder) if not (own and p == mine)
    )


def _remove_made_parents(path: Path, found: made.Found) -> None:
    """Remove the folders above ``path`` that the command made and that are now empty."""
    parent = path.parent
    while _made(parent, found):
        try:
            if any(parent.iterdir()):
                return
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


def _made(path: Path, found: made.Found) -> bool:
    """Whether the command made the folder ``path`` (below its root, or a parent of it)."""
    if path == found.root or found.root in path.parents:
        return found.existed(path) is False
    return str(path) in found.made
