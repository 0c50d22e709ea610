"""Hydra override strings as key/value pairs.

Shared by training (which switches a user set) and results (which keys vary across a sweep),
so neither imports the other.
"""

from __future__ import annotations


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
    """The overrides that define a job (``resume=`` is how it runs, not what it is)."""
    return [o for o in overrides if not o.startswith("resume=")]
