"""A run's training recipe in plain torch: the model, its SGD parameter groups, its lr schedule.

Both engines build a run with :func:`build_recipe` right after ``seed_everything(cfg.seed)``:
the Lightning engine wraps the model in its ``ClassifierModule``, whose
``configure_optimizers`` hands Lightning this optimizer and scheduler; the stacked engine
stacks the model, reads the learning rate from the optimizer each epoch (the scheduler lowers
it) and takes momentum, weight decay and which weights decay from its first group. One
function decides them, so the two engines cannot disagree on them (in the spirit of nanoGPT's
``configure_optimizers``).

The paper's recipe: SGD with momentum; weight decay on weights only (as cuda-convnet), or
only on the layers ``optim.decay_layers`` names (cuda-convnet's per-layer ``wc``); the lr
divided by ``plateau_factor`` when the validation error stops improving, at most
``max_lr_drops`` times (``optim.schedule=plateau``), or constant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.optim.lr_scheduler import ReduceLROnPlateau

from alexnet_lab.models import build_model

#: values of ``optim.schedule``
SCHEDULES = ("plateau", "constant")


@dataclass
class Recipe:
    """A built run: its model, its SGD (decayed weights first), its scheduler or None.

    ``decay``: the names of the parameters in the first (weight-decayed) group.
    """

    model: nn.Module
    optimizer: torch.optim.SGD
    scheduler: ReduceLROnPlateau | None
    decay: frozenset[str]


def build_recipe(cfg: Any, input_shape: tuple[int, int, int], num_classes: int) -> Recipe:
    """The configured model sized to ``input_shape`` (C, H, W), with its optimizer and schedule."""
    return optimize(run_model(cfg, input_shape, num_classes), cfg.optim)


def run_model(cfg: Any, input_shape: tuple[int, int, int], num_classes: int) -> nn.Module:
    """The configured model (``cfg.model``), sized to ``input_shape`` (C, H, W)."""
    channels, height, _ = input_shape
    return build_model(cfg, channels, num_classes, height)


def optimize(model: nn.Module, optim: Mapping[str, Any]) -> Recipe:
    """``model``'s SGD parameter groups and lr schedule under the ``optim`` config."""
    check_schedule(optim)
    only = set(optim.get("decay_layers") or [])
    decay: list[tuple[str, nn.Parameter]] = []
    no_decay: list[nn.Parameter] = []
    for name, param in model.named_parameters():
        layer = name.rsplit(".", 2)[-2] if "." in name else name
        if param.dim() > 1 and (not only or layer in only):
            decay.append((name, param))
        else:
            no_decay.append(param)
    optimizer = torch.optim.SGD(
        [
            {"params": [p for _, p in decay], "weight_decay": optim["weight_decay"]},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=optim["lr"],
        momentum=optim["momentum"],
    )
    return Recipe(model, optimizer, plateau(optimizer, optim), frozenset(n for n, _ in decay))


def plateau(optimizer: torch.optim.Optimizer, optim: Mapping[str, Any]) -> ReduceLROnPlateau | None:
    """The plateau schedule on the validation error (None for ``optim.schedule=constant``)."""
    if optim.get("schedule", "plateau") == "constant":
        return None
    factor = optim["plateau_factor"]
    return ReduceLROnPlateau(
        optimizer,
        mode="min",
        factor=factor,
        patience=optim["plateau_patience"],
        # stop after max_lr_drops divisions ("three times in all")
        min_lr=optim["lr"] * factor ** optim["max_lr_drops"],
    )


def check_schedule(optim: Mapping[str, Any]) -> None:
    """A schedule this module does not know: ValueError naming the valid ones."""
    if optim.get("schedule", "plateau") not in SCHEDULES:
        raise ValueError(f"unknown optim.schedule {optim['schedule']!r}; valid: {SCHEDULES}")
