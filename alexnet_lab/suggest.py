"""An unknown config-group option or key (``activation=relux``, ``optim.lrr=0.1``): one paragraph.

Hydra's own message lists the group's options under its config search path; this check runs
first, on the command's plain ``group=option`` overrides (a comma list too), and names the
closest valid option (:func:`difflib.get_close_matches`); for a key, :func:`unknown_key` names
the closest key. It stands aside when the user adds config folders (``--config-dir``,
``hydra.searchpath``), whose options it cannot see.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

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


def _dotted_keys(tree: Any, prefix: str = "") -> list[str]:
    """Every key of a plain config tree, dotted (``optim``, ``optim.lr``, ...)."""
    keys: list[str] = []
    if isinstance(tree, dict):
        for name, value in tree.items():
            key = f"{prefix}{name}"
            keys += [key, *_dotted_keys(value, key + ".")]
    return keys


def unknown_key(args: list[str], config_dir: Path) -> str | None:
    """The paragraph for the first ``key=value`` override naming a key the config lacks.

    Hydra's own message advises ``+key=value``, which adds a key nothing reads (``optim.lrr``
    would leave the learning rate as it was); this names the closest existing key instead
    (:func:`difflib.get_close_matches` over the composed config's keys). The config is
    composed with the command's group choices (the first of a comma list), as Hydra composes
    the first job. It stands aside for added config folders, as :func:`unknown_option` does.
    """
    if any(a.startswith(("--config-dir", "-cd", "hydra.searchpath")) for a in args):
        return None
    groups = group_options(config_dir)
    plain = [a.partition("=") for a in args if not a.startswith(("-", "+", "~"))]
    choices = [f"{k}={v.split(',')[0]}" for k, sep, v in plain if sep and k in groups and v]
    wanted = [
        (k, v)
        for k, sep, v in plain
        if sep and k not in groups and PLAIN.match(k) and not k.startswith("hydra.")
    ]
    if not wanted:
        return None
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    try:
        with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
            cfg = compose("config", overrides=choices)
    except Exception:  # a choice Hydra rejects: its own message says why
        return None
    # the keys as written, so that a mandatory value (``???``, e.g. data.root) still counts
    keys = _dotted_keys(OmegaConf.to_container(cfg, resolve=False))
    for key, value in wanted:
        if key in keys:
            continue
        close = difflib.get_close_matches(key, keys, n=1)
        hint = f"Did you mean {close[0]}={value}? " if close else ""
        return (
            f"{key}={value}: the config has no key {key!r}. {hint}Nothing was run. (Adding it "
            f"with +{key}=... would give a key that alexnet-lab never reads; alexnet-lab "
            "--cfg job prints every key.)"
        )
    return None
