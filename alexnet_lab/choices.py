"""The valid values of the options that are words, checked without loading torch.

``data.scale``, ``data.mean``, ``data.resident`` and ``trainer.channels_last``: the
datamodules (and the engines) check them when built, and
:func:`alexnet_lab.run.validation.validate` checks them before any data or library loads, so a
mistyped value is refused in seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alexnet_lab.errors import UserError

#: raw: centred 0-255 values, the paper's input; unit: 0-1 with the mean subtracted;
#: standard: per-channel (x - mean) / std.
SCALES = ("raw", "unit", "standard")
#: the mean subtracted: the training set's mean image (the paper's) or its channel means
MEANS = ("pixel", "channel")


def check_scale(scale: str) -> str:
    """Return ``scale`` if valid, else raise a UserError that lists the valid values."""
    if scale not in SCALES:
        raise UserError(
            f"data.scale={scale!r} is not an input scale. Valid values: {', '.join(SCALES)} "
            "(raw = the paper's centred 0-255 RGB values, unit = 0-1 with the training mean "
            "subtracted, standard = per-channel mean 0 and std 1). Example: data.scale=raw"
        )
    return scale


def check_mean(mean: str) -> str:
    """Return ``mean`` if valid, else raise a UserError that lists the valid values."""
    if mean not in MEANS:
        raise UserError(
            f"data.mean={mean!r} is not a mean to subtract. Valid values: pixel (the "
            "training set's mean image, the paper's), channel (per-channel means)."
        )
    return mean


def check_resident(value: object) -> bool | str:
    """``data.resident`` as auto, True or False; a clear error for anything else."""
    if isinstance(value, bool) or value == "auto":
        return value  # type: ignore[return-value]
    raise UserError(
        f"data.resident={value!r} is not a choice. Valid values: auto (on the training device "
        "when it is a GPU and the run is one process), true (always, CPU included), false "
        "(batches through a DataLoader, copied to the device each step)."
    )


def auto_or_bool(key: str, value: object, meanings: str) -> bool | None:
    """``key``'s ``value`` as None (auto), True or False; else a UserError naming ``meanings``."""
    if value is None or isinstance(value, bool):
        return value
    raise UserError(f"{key}={value!r} is not a choice. Valid values: {meanings}.")


def check_channels_last(value: object) -> bool | None:
    """``trainer.channels_last`` as None (auto), True or False; a clear error otherwise."""
    return auto_or_bool(
        "trainer.channels_last",
        value,
        "null (auto: channels-last on the CPU for the nets measured faster in it), true "
        "(channels-last weights and batches), false (contiguous)",
    )


def check_train_eval(value: object) -> bool | None:
    """``train_eval`` as None (auto), True or False; a clear error otherwise."""
    return auto_or_bool(
        "train_eval",
        value,
        "null (auto: measured unless the run's claim is judged on something else), true "
        "(measured every epoch), false (not measured)",
    )


#: each word option's key and its check
CHECKS = {
    "data.scale": check_scale,
    "data.mean": check_mean,
    "data.resident": check_resident,
    "trainer.channels_last": check_channels_last,
    "train_eval": check_train_eval,
}


#: ``hydra.launcher.stack`` of the parallel and the stacked launcher, and what each means
PARALLEL_STACK = {
    "cuda": "stack on GPU workers",
    "always": "on CPU workers too",
    "never": "every job alone",
}
STACKED_STACK = {
    "always": "stack on any device",
    "cuda": "stack on a GPU, run one job after another elsewhere",
}


def launcher_problem(target: str, options: Mapping[str, Any]) -> str | None:
    """Why the toolkit launcher ``target`` cannot take ``options`` (``hydra.launcher``); None.

    Checked from the composed config before the sweep's folder exists, and again by each
    launcher when Hydra builds it.
    """
    name = target.rsplit(".", 1)[-1]
    if name not in ("ParallelLauncher", "StackedLauncher"):
        return None
    stacks = PARALLEL_STACK if name == "ParallelLauncher" else STACKED_STACK
    stack = options.get("stack")
    if stack not in stacks:
        valid = ", ".join(f"{k} ({v})" for k, v in stacks.items())
        return f"hydra.launcher.stack={stack!r} is not a choice. Valid values: {valid}."
    counts = (
        {"workers": True, "cpu_workers": False}
        if name == "ParallelLauncher"
        else {"max_members": True, "cpu_members": False}
    )
    for key, nullable in counts.items():
        value = options.get(key)
        if value is None and nullable:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            null = "null or " if nullable else ""
            hint = (
                " (workers=null: one per GPU, cpu_workers without a GPU)"
                if key.endswith("workers")
                else " (max_members=null: as many as fit)"
            )
            return (
                f"hydra.launcher.{key}={value}: it must be {null}a whole number >= 1{hint}; "
                "a sweep needs at least one worker and one member per stack."
            )
    return None
