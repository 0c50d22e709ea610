"""Hydra override strings as key/value pairs.

Shared by training (which switches a user set) and results (which keys vary across a sweep),
so neither imports the other; and how to quote an override, or a command, for pasting.
"""

from __future__ import annotations

import itertools
import re
import shlex
import sys
from collections.abc import Mapping, Sequence
from typing import Any


def parse_overrides(overrides: list[str]) -> dict[str, str]:
    """``["activation=relu", "+x=1"]`` -> ``{"activation": "relu", "x": "1"}``."""
    parsed: dict[str, str] = {}
    for item in overrides:
        if item.startswith("~") or "=" not in item:
            continue
        key, _, value = item.lstrip("+").partition("=")
        parsed[key] = value
    return parsed


def task_overrides(overrides: list[str]) -> list[str]:
    """The overrides that define a job (``resume=``, ``replace=``: how it runs, not what)."""
    return [o for o in overrides if not o.startswith(("resume=", "replace="))]


def sweep_values(
    command: list[str], sweep_params: Mapping[str, Any]
) -> dict[str, list[str] | None] | None:
    """Each key's values in a sweep: the command line's, else the experiment's sweeper params.

    The command line wins over the config, as in Hydra. A sweep that cannot be listed (a glob)
    has ``None``; the whole answer is ``None`` when the command cannot be read.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    given = [a for a in command if "=" in a and not a.startswith("-")]
    from_config = [f"{key}={value}" for key, value in sweep_params.items()]
    try:
        parsed = OverridesParser.create().parse_overrides([*from_config, *given])
    except Exception:  # noqa: BLE001 (Hydra reports the bad override itself)
        return None
    values: dict[str, list[str] | None] = {}
    for override in parsed:
        try:
            if override.is_sweep_override():
                values[override.key_or_group] = list(map(str, override.sweep_string_iterator()))
            else:
                values[override.key_or_group] = [str(override.get_value_element_as_str())]
        except Exception:  # noqa: BLE001 (a glob or a sweep type that cannot be listed)
            values[override.key_or_group] = None
    return values


#: the ``hydra.sweeper._target_`` of Hydra's basic sweeper (the grid of every combination)
BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"


def basic_sweep_jobs(
    task: Sequence[str], sweep_params: Mapping[str, Any]
) -> list[list[str]] | None:
    """The jobs Hydra's basic sweeper makes of a command, each its overrides, in job order.

    ``sweep_params`` (the experiment's ``hydra.sweeper.params``) come first and the command's
    ``task`` overrides after, a later key replacing an earlier one's values, as the basic
    sweeper orders them; every combination of the keys' values is one job. Built on Hydra's
    public override parser; None where the grid cannot be listed here (a glob, which needs
    Hydra's config loader, or a sweep that is not a list of values).
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    params = [f"{key}={value}" for key, value in sweep_params.items()]
    choices: dict[str, list[str]] = {}
    try:
        for override in OverridesParser.create().parse_overrides([*params, *task]):
            key = override.get_key_element()
            if not override.is_sweep_override():
                choices[key] = [f"{key}={override.get_value_element_as_str()}"]
            elif override.is_discrete_sweep():
                choices[key] = [f"{key}={value}" for value in override.sweep_string_iterator()]
            else:
                return None
    except Exception:  # noqa: BLE001 (Hydra reports a bad override itself, when it runs)
        return None
    return [list(job) for job in itertools.product(*choices.values())]


def varying_keys(command: list[str], sweep_params: Mapping[str, Any]) -> set[str] | None:
    """The keys a sweep varies, or None when the command cannot be read.

    A key varies when its sweep has more than one value (or cannot be listed): on the command
    line (``seed=0,1``), else in the experiment's ``hydra.sweeper.params``.
    """
    values = sweep_values(command, sweep_params)
    if values is None:
        return None
    return {key for key, listed in values.items() if listed is None or len(listed) > 1}


def shown_overrides(overrides: list[str]) -> list[str]:
    """What a job line names: in a sweep, only the overrides whose key varies between jobs.

    A single run, or a job whose sweep cannot be read (no Hydra job here), names them all.
    """
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized() or HydraConfig.get().mode != RunMode.MULTIRUN:
        return overrides
    varying = varying_keys(sys.argv[1:], HydraConfig.get().sweeper.get("params") or {})
    if not varying:
        return overrides
    shown = [o for o in overrides if o.lstrip("+~").partition("=")[0] in varying]
    return shown or overrides


#: a value Hydra's override grammar reads back as the same string without quotes
_PLAIN = re.compile(r"[A-Za-z0-9_/.+@%:-]+", re.ASCII)
#: unquoted, these would be read as another type (or a number): quote them to keep a string
_TYPED = re.compile(r"(?i)true|false|null|[-+]?(nan|inf|[0-9._e+-]+)")


def hydra_quote(value: str) -> str:
    r"""``value`` as a Hydra override value that parses back to exactly this string.

    Plain values stay as they are; others (spaces, quotes, non-ASCII, ...) are wrapped in
    single quotes, escaping ``'`` as ``\'`` and doubling the backslashes that come before a
    quote or the end (Hydra keeps other backslashes in quoted values as they are); ``${`` is
    escaped as ``\${`` so that OmegaConf does not take a folder named with it for an
    interpolation.
    """
    if _PLAIN.fullmatch(value) and not _TYPED.fullmatch(value):
        return value
    # OmegaConf would resolve ``${...}`` in the value: ``\${`` keeps it literal, and the
    # backslashes before it double (OmegaConf reads ``\\`` there as one backslash)
    value = re.sub(r"(\\*)\$\{", lambda m: m.group(1) * 2 + "\\${", value)
    body = re.sub(r"(\\+)(?='|$)", lambda m: m.group(1) * 2, value).replace("'", "\\'")
    return f"'{body}'"


def shell_quote(arg: str) -> str:
    """``arg`` quoted for a POSIX shell: as it is when safe, else in double or single quotes."""
    quoted = shlex.quote(arg)
    if quoted == arg or any(c in arg for c in '"$`\\!'):
        return quoted
    return f'"{arg}"'  # reads better than shlex's '"'"' around the single quotes Hydra needs


def shell_join(args: list[str]) -> str:
    """A command line a user can paste into a shell: each argument :func:`shell_quote`-d."""
    return " ".join(shell_quote(a) for a in args)
