"""The values a user sets, checked at the start of a job, before any data loads.

Why not Hydra structured configs (dataclass schemas in the ConfigStore)? OmegaConf would reject
``trainer.max_epochs=abc`` at composition, but composition happens inside Hydra's launcher,
before our job function runs: in a sweep the first bad job raises out of the launcher, so the
jobs after it never run, it leaves no record and the sweep report is never written. Checked
here instead, a bad value is one job's failure: a single run prints one paragraph and exits 2;
a sweep records the job as ``failed`` with that paragraph and goes on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from alexnet_lab.choices import CHECKS
from alexnet_lab.errors import UserError
from alexnet_lab.models.checks import init_problem


class ConfigValueError(UserError):
    """A config value of the wrong type or outside its range (the message names both)."""


@dataclass(frozen=True)
class Rule:
    """One key's valid values: its kind (``int``/``float``), range, and a valid example."""

    key: str
    kind: type
    ok: Callable[[float], bool]
    range: str
    example: str
    nullable: bool = False


def _at_least(low: float) -> Callable[[float], bool]:
    return lambda v: v >= low


def _in(low: float, high: float, *, low_ok: bool = True) -> Callable[[float], bool]:
    return lambda v: (v >= low if low_ok else v > low) and v < high


_OPEN01 = _in(0, 1, low_ok=False)

RULES: tuple[Rule, ...] = (
    Rule("trainer.max_epochs", int, _at_least(1), "a whole number >= 1", "90"),
    Rule("data.batch_size", int, _at_least(1), "a whole number >= 1", "128"),
    Rule("data.train_size", int, _at_least(1), "null (all) or a whole number >= 1", "null", True),
    Rule("data.val_size", int, _at_least(1), "null (all) or a whole number >= 1", "null", True),
    Rule("data.num_classes", int, _at_least(2), "a whole number >= 2", "10"),
    Rule("data.image_size", int, _at_least(1), "a whole number >= 1", "32"),
    Rule(
        "data.num_workers",
        int,
        _at_least(0),
        "null (automatic) or a whole number >= 0",
        "null",
        True,
    ),
    # lr 0 stays valid: it freezes the weights (the DDP test compares such runs exactly)
    Rule("optim.lr", float, _at_least(0), "a number >= 0", "0.01"),
    Rule("optim.momentum", float, _in(0, 1), "a number in [0, 1)", "0.9"),
    Rule("optim.weight_decay", float, _at_least(0), "a number >= 0", "5e-4"),
    Rule("optim.plateau_factor", float, _OPEN01, "a number in (0, 1)", "0.1"),
    Rule("optim.plateau_patience", int, _at_least(0), "a whole number >= 0", "5"),
    Rule("optim.max_lr_drops", int, _at_least(0), "a whole number >= 0", "3"),
    Rule("dropout.p", float, _in(0, 1), "a probability in [0, 1)", "0.5"),
    Rule("augmentation.lighting_std", float, _at_least(0), "a number >= 0", "0.1"),
    Rule("target_error", float, _OPEN01, "null or a number in (0, 1)", "0.25", True),
    # numpy's generators (seeded by Lightning's seed_everything) take 0 .. 2**32 - 1 only
    Rule("seed", int, _in(0, 2**32), "a whole number from 0 to 4294967295", "0"),
    Rule("not_learning_patience", int, _at_least(1), "a whole number >= 1", "5"),
)

_ABSENT = object()


def problem(rule: Rule, value: object) -> str | None:
    """Why ``value`` is not valid for ``rule`` (None when it is)."""
    if value is None:
        return None if rule.nullable else "null"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "not a number"
    if rule.kind is int and not isinstance(value, int):
        return "not a whole number"
    if not math.isfinite(value) or not rule.ok(value):
        return "out of range"
    return None


def _display_key(cfg: DictConfig, key: str) -> str:
    """The key a user sets: ``target_error`` follows ``data.target_error`` unless overridden."""
    if key == "target_error" and OmegaConf.is_interpolation(cfg, "target_error"):
        return "data.target_error"
    return key


def unresolved(cfg: DictConfig, prefix: str = "") -> list[str]:
    """Each value whose interpolation does not resolve (``optim.lr=${oops}``), as a clause.

    Hydra's own ``${hydra:...}`` is left to Hydra (it resolves only inside a job).
    """
    bad = []
    for key in cfg.keys() if isinstance(cfg, DictConfig) else ():
        full = f"{prefix}{key!s}"
        if OmegaConf.is_interpolation(cfg, str(key)):
            raw = str(cfg._get_node(str(key))._value())  # type: ignore[union-attr]
            if "${hydra:" in raw:
                continue
            try:
                cfg[key]
            except OmegaConfBaseException as exc:
                why = str(exc).splitlines()[0]
                bad.append(f"{full}={raw} does not resolve ({why}): give it a value instead")
            continue
        try:
            child = cfg[key]
        except OmegaConfBaseException:
            continue
        if isinstance(child, DictConfig):
            bad += unresolved(child, f"{full}.")
    return bad


def validate(cfg: DictConfig) -> None:
    """Raise :class:`ConfigValueError` naming every key whose value is of the wrong type or range.

    Keys a config does not have (a group option without ``dropout.p``, say) are skipped; the
    data options that are words (``data.scale``, ...) are checked too
    (:mod:`alexnet_lab.choices`). An
    init that the model has no source for (``init=cuda_convnet`` with ``model=alexnet``) is
    refused here too, in the same paragraph (:func:`alexnet_lab.models.init_problem`).
    """
    bad = unresolved(cfg)
    for rule in RULES:
        try:
            value = OmegaConf.select(cfg, rule.key, default=_ABSENT)
        except OmegaConfBaseException:  # an interpolation that does not resolve: named above
            continue
        if value is _ABSENT:
            continue
        why = problem(rule, value)
        if why:
            key = _display_key(cfg, rule.key)
            shown = "null" if value is None else repr(value) if isinstance(value, str) else value
            bad.append(
                f"{key}={shown} is {why}: it must be {rule.range} "
                f"(for example {key}={rule.example})"
            )
    for key, check in CHECKS.items():  # the word options: data.scale, data.mean, ...
        try:
            word = OmegaConf.select(cfg, key, default=_ABSENT)
        except OmegaConfBaseException:
            continue
        if word is not _ABSENT:
            try:
                check(word)
            except UserError as exc:
                bad.append(str(exc).rstrip("."))
    try:
        model, init = (OmegaConf.select(cfg, k, default=None) for k in ("model.name", "init.name"))
    except OmegaConfBaseException:
        model = init = None
    if model is not None and init is not None:
        why_not = init_problem(str(model), str(init))
        if why_not:
            bad.append(why_not)
    if bad:
        raise ConfigValueError(
            "; ".join(bad) + ". Nothing was trained. Fix the value on the command line (or in "
            "the config file that sets it) and run the command again."
        )
