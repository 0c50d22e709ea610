"""What a folder of run records is: one sweep, one run, or several of them.

``alexnet-lab-report DIR`` compares the runs of one sweep (or one run). A folder that holds
several sweeps and runs (``multirun/``, a parent of a sweep and a run) is for ``--all``:
reported as one sweep it would mix their arms and settings into one comparison.
"""

from __future__ import annotations

from pathlib import Path

from alexnet_lab.overrides import shell_join
from alexnet_lab.record.files import record_paths

#: Hydra's sweeper writes this file into every sweep folder
SWEEP_MARK = "multirun.yaml"
#: in the name of a folder that ``replace=true`` moved an earlier command's runs to
REPLACED = ".replaced-"


def is_replaced(path: Path, root: Path) -> bool:
    """Whether ``path`` lies in a folder of replaced runs below ``root`` (or is one)."""
    return any(REPLACED in part for part in Path(path).relative_to(root).parts)


def _unit(record: Path, folder: Path) -> Path:
    """The sweep or run a record belongs to, below ``folder``."""
    depth = len(record.relative_to(folder).parts) - 1
    if depth <= 1:
        return record.parent if depth == 1 else folder
    for parent in record.parent.parents:
        if parent == folder:
            break
        if (parent / SWEEP_MARK).exists():
            return parent
    return record.parent.parent


def parts(folder: Path) -> list[Path]:
    """The sweeps and runs in ``folder`` when it holds more than one, else ``[]``.

    A folder is one sweep when Hydra marked it (``multirun.yaml``) or when its records all
    lie one level down (``<job>/record.json``, also a W&B agent's sweep); one run when its
    record is its own ``record.json``. Anything else is split into the sweeps (the nearest
    marked folder, else the folder above the job) and runs it holds.
    """
    folder = Path(folder)
    if (folder / SWEEP_MARK).exists():
        return []
    records = record_paths(folder)
    depths = {len(p.relative_to(folder).parts) - 1 for p in records}
    if depths <= {0} or depths == {1}:
        return []
    units: list[Path] = []
    for record in records:
        unit = _unit(record, folder)
        if unit == folder:
            continue
        if unit not in units:
            units.append(unit)
    return units if len(units) > 1 else []


def several_sweeps(folder: Path, units: list[Path], shown: int = 5) -> str:
    """The paragraph for ``alexnet-lab-report DIR`` on a folder of several sweeps."""
    names = ", ".join(str(u.relative_to(folder)) for u in units[:shown])
    more = f" and {len(units) - shown} more" if len(units) > shown else ""
    return (
        f"{folder} holds {len(units)} sweeps and runs, not one sweep: {names}{more}. A report "
        "compares the runs of one sweep; these together would mix their arms and settings, "
        "so nothing was written. Report every one of them (each its own report, and one "
        f"paper_report.md) with: {shell_join(['alexnet-lab-report', '--all', str(folder)])} ; "
        f"or one of them, e.g.: {shell_join(['alexnet-lab-report', str(units[0])])}"
    )
