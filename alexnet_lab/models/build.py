"""``build_model(cfg, ...)``: the configured model, its switches and init, through the registry.

The one place a model is built (torch loads here, with the model's file): the checks before it
(:mod:`alexnet_lab.models.checks`) need no torch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import nn

from alexnet_lab.models.checks import check_init
from alexnet_lab.models.layers import init_weights
from alexnet_lab.models.registry import get_model
from alexnet_lab.models.switches import Switches


def build_model(
    cfg: Mapping[str, Any], in_channels: int, num_classes: int, image_size: int
) -> nn.Module:
    """Build the configured model with every switch (activation, norm, pooling, init, ...)."""
    options = dict(cfg["model"])
    entry = get_model(str(options.pop("name")))
    init = dict(cfg["init"])
    name = str(init.pop("name"))
    check_init(entry.name, name)
    switches = Switches.from_config(cfg)
    model = entry.builder(options, switches, in_channels, num_classes, image_size)
    init_weights(
        model,
        name,
        bias_one_layers=getattr(model, "bias_one_layers", ()),
        hidden_fc_layers=getattr(model, "hidden_fc_layers", ()),
        layer_std=entry.layer_inits.get(name),
        **init,
    )
    return model
