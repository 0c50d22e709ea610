"""Model construction from the config: ``build_model(cfg, ...)``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from torch import nn

from alexnet_lab.errors import UserError
from alexnet_lab.models.alexnet import CIFAR, PAPER, AlexNet
from alexnet_lab.models.convnet4 import ConvNet4
from alexnet_lab.models.convnet_local import ConvNetLocal
from alexnet_lab.models.layers import init_weights

#: the paper switches (config groups) each model has; init applies to every model
SWITCHES: dict[str, tuple[str, ...]] = {
    "convnet4": ("activation", "norm", "pooling"),
    "convnet_local": ("activation", "norm", "pooling"),
    "alexnet": ("activation", "norm", "pooling", "dropout", "towers"),
    "alexnet_cifar": ("activation", "norm", "pooling", "dropout", "towers"),
}
MODELS = tuple(SWITCHES)
ALL_SWITCHES = ("activation", "norm", "pooling", "dropout", "towers")


def check_switches(model: str, chosen: Iterable[str]) -> None:
    """Fail in one line when a switch the user chose does not exist on ``model``."""
    for switch in chosen:
        if switch in ALL_SWITCHES and switch not in SWITCHES.get(model, ()):
            having = [m for m, s in SWITCHES.items() if switch in s]
            raise UserError(
                f"`{switch}` is not a switch of model={model}; the models that have it: "
                f"{', '.join(having)} (e.g. model={having[0]} {switch}=...)."
            )


def build_model(
    cfg: Mapping[str, Any], in_channels: int, num_classes: int, image_size: int
) -> nn.Module:
    """Build the configured model with every switch (activation, norm, pooling, init, ...)."""
    name = cfg["model"]["name"]
    act = cfg["activation"]["name"]
    norm = dict(cfg["norm"])
    pool_kernel, pool_stride = cfg["pooling"]["kernel_size"], cfg["pooling"]["stride"]
    model: nn.Module
    if name == "convnet4":
        model = ConvNet4(in_channels, num_classes, image_size, act, norm, pool_kernel, pool_stride)
    elif name == "convnet_local":
        if norm["name"] != "none" and cfg["model"].get("lrn"):
            # this net's own cross-map LRN (cuda-convnet's cmrnorm: size 9, 0.001, 0.75, k=1)
            norm = {"name": norm["name"], **dict(cfg["model"]["lrn"])}
        model = ConvNetLocal(
            in_channels, num_classes, image_size, act, norm, pool_kernel, pool_stride,
            local_width=int(cfg["model"].get("local_width", 64)),
        )  # fmt: skip
    elif name in ("alexnet", "alexnet_cifar"):
        geometry = PAPER if name == "alexnet" else CIFAR
        if cfg["model"].get("fc_width"):
            geometry = dataclasses.replace(geometry, fc_width=int(cfg["model"]["fc_width"]))
        if image_size != geometry.image_size:
            raise UserError(
                f"model={name} takes {geometry.image_size}x{geometry.image_size} images but the "
                f"data gives {image_size}x{image_size}. Use "
                + (
                    "model=alexnet_cifar for 32x32 data (cifar10, fashion_mnist)"
                    if name == "alexnet"
                    else "model=alexnet for 227x227 data"
                )
                + f", or data=synthetic data.image_size={geometry.image_size}."
            )
        model = AlexNet(
            geometry, in_channels, num_classes, act, norm, pool_kernel, pool_stride,
            dropout=float(cfg["dropout"]["p"]), towers=int(cfg["towers"]["count"]),
        )  # fmt: skip
    else:
        raise UserError(f"unknown model {name!r}; valid: {', '.join(MODELS)}")
    init = dict(cfg["init"])
    init_weights(
        model,
        init.pop("name"),
        bias_one_layers=getattr(model, "bias_one_layers", ()),
        hidden_fc_layers=getattr(model, "hidden_fc_layers", ()),
        **init,
    )
    return model
