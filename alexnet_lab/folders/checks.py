"""Whether a sweep's (or run's) folder is usable, checked before Hydra creates it.

A bad one is then one paragraph and exit 2 with nothing written, not Hydra's
``FileExistsError`` or ``InterpolationKeyError`` traceback.
"""

from __future__ import annotations

from pathlib import Path


def folder_problem(folder: Path, key: str) -> str | None:
    """Why ``folder`` cannot hold the command's runs, in one paragraph; None when it can.

    ``key`` is the option that named it (``hydra.sweep.dir`` or ``hydra.run.dir``). Refused:

    * a file where the folder, or a folder above it, belongs;
    * ``${`` in its name: Hydra stores each job's folder in its config
      (``hydra.runtime.output_dir``) and OmegaConf then reads ``${...}`` there as an
      interpolation, so every job would fail.
    """
    fix = f"Give {key}= another folder and run the command again."
    if "${" in str(folder):
        return (
            f"{key}={folder}: a folder name containing `${{` cannot be used, because Hydra "
            "re-reads each job's folder as a config value and takes `${...}` for an "
            f"interpolation. Nothing was written. {fix}"
        )
    for path in (folder, *folder.parents):
        if path.is_dir():
            return None
        if path.exists() or path.is_symlink():
            kind = "a file" if path.exists() else "a broken link"
            where = "not a folder" if path == folder else f"so {folder} cannot be created below it"
            return f"{key}={folder}: {path} is {kind}, {where}. Nothing was written. {fix}"
    return None
