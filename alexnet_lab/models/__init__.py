"""Model construction from the config: ``build_model(cfg, ...)`` through the model registry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from torch import nn

from alexnet_lab.errors import UserError
from alexnet_lab.models.layers import INITS, LAYER_INITS, init_weights
from alexnet_lab.models.registry import get_model, list_models, register_model
from alexnet_lab.models.switches import SWITCH_GROUPS, Switches

__all__ = [
    "Switches",
    "build_model",
    "check_init",
    "check_switches",
    "init_problem",
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


def init_problem(model: str, init: str) -> str | None:
    """Why ``init`` cannot initialise ``model`` (None when it can), as a clause for a paragraph.

    A per-layer init (``cuda_convnet``) applies only to the models whose source config gives
    each layer's std; the others are refused rather than given a made-up table.
    """
    if init not in LAYER_INITS or init in get_model(model).layer_inits:
        return None
    sourced = [m for m in list_models() if init in get_model(m).layer_inits]
    valid = [f"init={i}" for i in INITS if i not in LAYER_INITS or model in sourced]
    return (
        f"init={init} does not apply to model={model}: it sets each layer's weight std from "
        f"Krizhevsky's cuda-convnet example configs, which exist only for "
        f"{', '.join(f'model={m}' for m in sourced[:-1])} and model={sourced[-1]} "
        f"(experiment=relu_vs_tanh, experiment=lrn and the CPU protocols default to it). With "
        f"model={model} use "
        f"{', '.join(valid[:-1])} or {valid[-1]} (for example add {valid[0]})"
    )


def check_init(model: str, init: str) -> None:
    """Fail in one paragraph when ``init`` has no source for ``model`` (:func:`init_problem`)."""
    problem = init_problem(model, init)
    if problem:
        raise UserError(f"{problem}. Nothing was trained.")


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
