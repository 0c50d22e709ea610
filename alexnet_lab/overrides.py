"""Hydra override strings as key/value pairs.

Shared by training (which switches a user set) and results (which keys vary across a sweep),
so neither imports the other; and how to quote an override, or a command, for pasting.
"""

from __future__ import annotations

import re
import shlex


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
