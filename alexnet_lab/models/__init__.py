"""Model construction from the config: ``build_model(cfg, ...)`` through the model registry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from torch import nn

from alexnet_lab.errors import UserError
from alexnet_lab.models.layers import init_weights
from alexnet_lab.models.registry import get_model, list_models, register_model
from alexnet_lab.models.switches import SWITCH_GROUPS, Switches

__all__ = [
    "Switches",
    "build_model",
    "check_switches",
    "get_model",
    "list_models",
    "register_model",
]


def check_switches(model: str, chosen: Iterable[str]) -> None:
    """Fail in one line when a switch the user chose does not exist on ``model``."""
    having = get_model(model).switches
    for switch in chosen:
        if switch in SWITCH_GROUPS and switch not in having:
            others = [m for m in list_models() if switch in get_model(m).switches]
            raise UserError(
                f"`{switch}` is not a switch of model={model}; the models that have it: "
                f"{', '.join(others)} (e.g. model={others[0]} {switch}=...)."
            )


def build_model(
    cfg: Mapping[str, Any], in_channels: int, num_classes: int, image_size: int
) -> nn.Module:
    """Build the configured model with every switch (activation, norm, pooling, init, ...)."""
    options = dict(cfg["model"])
    entry = get_model(str(options.pop("name")))
    switches = Switches.from_config(cfg)
    model = entry.builder(options, switches, in_channels, num_classes, image_size)
    init = dict(cfg["init"])
    init_weights(
        model,
        init.pop("name"),
        bias_one_layers=getattr(model, "bias_one_layers", ()),
        hidden_fc_layers=getattr(model, "hidden_fc_layers", ()),
        **init,
    )
    return model
