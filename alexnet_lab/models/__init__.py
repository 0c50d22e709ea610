"""Model construction from the config: ``build_model(cfg, ...)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import nn

from alexnet_lab.models.convnet4 import ConvNet4
from alexnet_lab.models.layers import init_weights

MODELS = ("convnet4",)


def build_model(
    cfg: Mapping[str, Any], in_channels: int, num_classes: int, image_size: int
) -> nn.Module:
    """Build the configured model with every switch (activation, norm, pooling, init) applied."""
    name = cfg["model"]["name"]
    if name == "convnet4":
        norm = {k: v for k, v in dict(cfg["norm"]).items()}
        model: nn.Module = ConvNet4(
            in_channels=in_channels,
            num_classes=num_classes,
            image_size=image_size,
            act=cfg["activation"]["name"],
            norm=norm,
            pool_kernel=cfg["pooling"]["kernel_size"],
            pool_stride=cfg["pooling"]["stride"],
        )
    else:
        raise ValueError(f"unknown model {name!r}; valid: {list(MODELS)}")
    init = dict(cfg["init"])
    init_weights(
        model,
        init.pop("name"),
        bias_one_layers=getattr(model, "bias_one_layers", ()),
        hidden_fc_layers=getattr(model, "hidden_fc_layers", ()),
        **init,
    )
    return model
