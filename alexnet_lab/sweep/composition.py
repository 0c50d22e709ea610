"""The command's config, composed once before Hydra runs it: what cannot work is one paragraph.

Hydra composes the config inside its own error handler, which prints its raw message (or a
YAML parser's traceback) and exits 1; a launcher option it cannot use surfaces only once the
sweep's folder exists. Composed here first, with Hydra's own machinery and search path
(``--config-dir`` included), a config file that is not YAML, an option no group has (also
one only ``--config-dir`` could hold), ``hydra/launcher=paralel``, a launcher option of the
wrong type or value (``hydra.launcher.workers=abc|0``, ``hydra.launcher.stack=sometimes``)
are each one paragraph, exit 2, before anything is written; an option given twice
(``seed=1 seed=2``) is said in a warning (the last counts, as in Hydra). No torch: this takes
well under a second.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import re
from pathlib import Path
from typing import Any

from alexnet_lab.choices import launcher_problem

#: what every paragraph here ends with
NOTHING = "Nothing was written."


def twice(args: list[str]) -> str | None:
    """The warning for an option given twice on the command line, else None.

    Hydra takes the last; that stays so (a base command with overrides appended is a common
    way to vary one value), but it is said, with the sweep that runs both.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        overrides = OverridesParser.create().parse_overrides(args)
    except Exception:
        return None  # Hydra's own parser says what is wrong
    seen: dict[str, str] = {}
    for override in overrides:
        if override.is_delete():
            continue
        key, line = override.get_key_element(), str(override.input_line)
        if key in seen and seen[key] != line:
            both = f"{_value(seen[key])},{_value(line)}"
            return (
                f"{seen[key]} and {line}: {key} is given twice, and only the last counts "
                f"({line}), as Hydra reads a command. To run both, sweep over them: "
                f"alexnet-lab -m {key}={both} ..."
            )
        seen[key] = line
    return None


def _value(line: str) -> str:
    return line.partition("=")[2]


def composition_problem(argv: list[str], config_dir: Path) -> str | None:
    """Why the command's config cannot be composed or launched, in one paragraph; else None.

    ``argv``: the command's arguments as Hydra reads them (an option given twice is
    :func:`twice`'s, on the user's own arguments). Commands that only show something
    (``--cfg``, ``--info``, ``--help``) and arguments Hydra's parser refuses are left to Hydra.
    """
    # no public API parses Hydra's command line (hydra.main keeps it inside; Hydra 1.3.8)
    from hydra._internal.utils import get_args_parser

    try:
        with contextlib.redirect_stderr(io.StringIO()):
            args, unknown = get_args_parser().parse_known_args(argv)
    except SystemExit:
        return None
    shows = args.help or args.hydra_help or args.cfg or args.info or args.shell_completion
    if unknown or shows:
        return None
    overrides = list(args.overrides)
    try:
        cfg = _compose(args.config_name or "config", overrides, config_dir, args.config_dir)
    except Exception as exc:
        return _paragraph(exc)
    if cfg is None:
        return None
    multirun = args.multirun or str(cfg.hydra.get("mode")) == "RunMode.MULTIRUN"
    launcher = cfg.hydra.get("launcher") or {}
    if multirun and launcher.get("_target_"):
        problem = launcher_problem(str(launcher["_target_"]), launcher)
        if problem:
            return f"{problem} {NOTHING}"
    return None


def _compose(name: str, overrides: list[str], config_dir: Path, extra: str | None) -> Any:
    """The composed config (sweep values aside), as Hydra composes it for this command."""
    # no public API composes a multirun's config (hydra.compose runs in RUN mode, which refuses
    # sweep values) or puts --config-dir where the command does (Hydra 1.3.8)
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_automatic_config_search_path
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.utils import setup_globals
    from hydra.types import RunMode

    setup_globals()
    search_path = create_automatic_config_search_path(None, None, str(config_dir))
    if extra is not None:
        folder = os.path.abspath(extra)
        if not os.path.isdir(folder):
            raise NotADirectoryError(f"--config-dir {extra}: the folder {folder} does not exist")
        from hydra.core.config_search_path import SearchPathQuery

        search_path.prepend("command-line", f"file://{folder}", SearchPathQuery(provider="schema"))
    OverridesParser.create().parse_overrides(overrides)  # a parse error: Hydra's own message
    GlobalHydra.instance().clear()
    try:
        hydra = Hydra.create_main_hydra2(task_name="alexnet-lab", config_search_path=search_path)
        return hydra.compose_config(
            config_name=name,
            overrides=overrides,
            run_mode=RunMode.MULTIRUN,
            with_log_configuration=False,
            validate_sweep_overrides=False,
        )
    finally:
        GlobalHydra.instance().clear()


def _paragraph(exc: BaseException) -> str | None:
    """Hydra's (or YAML's) message about a config it cannot compose, as one paragraph."""
    import yaml
    from hydra.errors import (
        ConfigCompositionException,
        MissingConfigException,
        OverrideParseException,
        SearchPathException,
    )
    from omegaconf.errors import OmegaConfBaseException

    text = str(exc).split("\nConfig search path:")[0]
    if exc.__cause__ is not None and str(exc.__cause__).strip():  # e.g. OmegaConf's type error
        text = f"{text.rstrip('.')}: {str(exc.__cause__).splitlines()[0]}"
    if isinstance(exc, OverrideParseException):
        return None  # Hydra's own parser message is already the clearest
    if isinstance(exc, yaml.YAMLError):
        flat = " ".join(text.split())
        return (
            f"a config file is not valid YAML: {flat}. Fix that file (or leave its folder "
            f"out of --config-dir) and run the command again. {NOTHING}"
        )
    if isinstance(exc, MissingConfigException):
        return _missing(exc, text)
    if isinstance(exc, (ConfigCompositionException, SearchPathException, NotADirectoryError)):
        flat = " ".join(text.replace("\t", " ").split())
        return f"{flat}. {NOTHING} Fix the option and run the command again."
    if isinstance(exc, OmegaConfBaseException):
        flat = " ".join(text.split())
        return f"the config cannot be composed: {flat}. {NOTHING}"
    return None  # not a config problem this check knows: Hydra runs and says it


def _missing(exc: BaseException, text: str) -> str:
    """An option no config group has: the closest valid one, and the valid ones."""
    options = list(getattr(exc, "options", None) or [])
    wanted = re.search(r"Could not find '([^']+)'", text)
    if wanted and options and "/" in wanted.group(1):
        group, _, option = wanted.group(1).rpartition("/")
        close = difflib.get_close_matches(option, options, n=1)
        hint = f"Did you mean {group}={close[0]}? " if close else ""
        return (
            f"{group}={option}: the {group} group has no option {option!r}. {hint}Valid "
            f"options: {', '.join(options)}. {NOTHING}"
        )
    flat = " ".join(text.replace("\t", " ").split())
    return f"{flat}. {NOTHING} Fix the option and run the command again."
