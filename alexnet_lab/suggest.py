"""An unknown config-group option (``activation=relux``) ends in one paragraph with the fix.

Hydra's own message lists the group's options under its config search path; this check runs
first, on the command's plain ``group=option`` overrides (a comma list too), and names the
closest valid option (:func:`difflib.get_close_matches`). It stands aside when the user adds
config folders (``--config-dir``, ``hydra.searchpath``), whose options it cannot see.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

PLAIN = re.compile(r"^[A-Za-z0-9_.-]+$")


def group_options(config_dir: Path) -> dict[str, list[str]]:
    """Each config group under ``config_dir`` (``hydra`` aside) and its options."""
    return {
        group.name: sorted(p.stem for p in group.glob("*.yaml"))
        for group in sorted(config_dir.iterdir())
        if group.is_dir() and group.name != "hydra"
    }


def unknown_option(args: list[str], config_dir: Path) -> str | None:
    """The paragraph for the first override naming an option its group lacks, else None."""
    if any(a.startswith(("--config-dir", "-cd", "hydra.searchpath")) for a in args):
        return None
    groups = group_options(config_dir)
    for arg in args:
        key, sep, value = arg.partition("=")
        key = key.lstrip("+")
        if not sep or key not in groups or value in ("", "null"):
            continue
        for option in value.split(","):
            if not PLAIN.match(option) or option in groups[key]:
                continue
            valid = groups[key]
            close = difflib.get_close_matches(option, valid, n=1)
            hint = f"Did you mean {key}={close[0]}? " if close else ""
            return (
                f"{key}={option}: the {key} group has no option {option!r}. {hint}"
                f"Valid options: {', '.join(valid)} (alexnet-lab --help lists every group)."
            )
    return None
