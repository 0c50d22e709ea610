"""``alexnet-lab --help`` in well under a second.

Hydra answers ``--help`` by composing the whole config and deep-copying it once per config
group to list their options, which takes seconds. A bare ``--help`` (or ``-h``) needs none of
that: the app's help template (``conf/hydra/help/alexnet_lab.yaml``) and the option files
in ``conf/`` are all it shows. This module renders the same text from them; with overrides
or ``--config-dir`` beside ``--help``, Hydra answers as before. A test compares the two.
"""

from __future__ import annotations

import string
from pathlib import Path

import yaml

HELP_FILE = Path("hydra") / "help" / "alexnet_lab.yaml"


def config_groups(config_dir: Path) -> str:
    """Hydra's ``$APP_CONFIG_GROUPS``: ``group: option, option`` per line, hydra/ left out."""
    lines = []
    groups = {
        path.parent.relative_to(config_dir).as_posix()
        for path in config_dir.rglob("*.yaml")
        if path.parent != config_dir
    }
    for group in sorted(g for g in groups if g != "hydra" and not g.startswith("hydra/")):
        options = sorted(p.stem for p in (config_dir / group).glob("*.yaml"))
        lines.append(f"{group}: {', '.join(options)}\n")
    return "".join(lines)


def bare_help(argv: list[str], config_dir: Path) -> str | None:
    """The app's help text when ``argv`` asks for it alone, else None (Hydra answers)."""
    if argv not in (["--help"], ["-h"]):
        return None
    spec = yaml.safe_load((config_dir / HELP_FILE).read_text(encoding="utf-8"))
    template = spec["template"]
    for key in ("header", "footer"):
        template = template.replace(f"${{hydra.help.{key}}}", spec[key])
    return string.Template(template).substitute(APP_CONFIG_GROUPS=config_groups(config_dir))
