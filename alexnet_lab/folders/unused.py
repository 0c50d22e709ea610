"""Clearing a run or sweep folder that holds nothing but what Hydra and the lock wrote.

A job that cannot start (a bad value, missing data) trained nothing: its folder would only be
clutter beside the paragraph that says why. Light on purpose (no torch), so a single run's
early checks (:mod:`alexnet_lab.run.early_checks`) can use it before the run's modules load.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from alexnet_lab.folders.lock import LOCK_NAME

__all__ = ["discard_unstarted_run", "discard_unstarted_sweep", "remove_unused_folder"]


def discard_unstarted_run(output_dir: Path) -> None:
    """Remove the folder of a single run that stopped before its first epoch, and empty parents.

    A run that cannot start (its data missing, an option that cannot work) has trained
    nothing; its record, W&B folder and Hydra files would only be clutter beside the
    paragraph that says why.
    """
    shutil.rmtree(output_dir, ignore_errors=True)
    _remove_empty_parents(output_dir)


def remove_unused_folder(output_dir: Path) -> None:
    """Remove a run folder holding only what Hydra wrote at its start (and empty parents)."""
    leftovers = {".hydra", LOCK_NAME} | {p.name for p in output_dir.glob("*.log")}
    if not output_dir.is_dir() or any(p.name not in leftovers for p in output_dir.iterdir()):
        return
    if any(p.stat().st_size for p in output_dir.glob("*.log")):
        return
    shutil.rmtree(output_dir, ignore_errors=True)
    _remove_empty_parents(output_dir)


def discard_unstarted_sweep(sweep_dir: Path) -> None:
    """Remove a sweep folder that holds only what Hydra and the lock wrote at its start.

    The sweep stops at a job that cannot start; when no job before it left anything, the
    folder (and its empty parents) would only be clutter beside the paragraph.
    """
    sweep_dir = sweep_dir.resolve()  # Hydra's sweep.dir is relative to the working folder
    if not sweep_dir.is_dir():
        return
    if any(p.name not in {"multirun.yaml", LOCK_NAME} for p in sweep_dir.iterdir()):
        return
    shutil.rmtree(sweep_dir, ignore_errors=True)
    _remove_empty_parents(sweep_dir)


def _remove_empty_parents(output_dir: Path) -> None:
    """Remove the folders above ``output_dir`` that are now empty, up to the working folder."""
    parent, stop = output_dir.parent, Path.cwd()
    while parent != stop and stop in parent.parents and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
