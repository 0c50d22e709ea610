"""The checks made on a model before it is built, without torch: its switches, its init.

They read the catalog (:mod:`alexnet_lab.models.catalog`) only, so a command refused for a
switch the model lacks or an init with no source for it answers before torch loads.
"""

from __future__ import annotations

from collections.abc import Iterable

from alexnet_lab.errors import UserError
from alexnet_lab.models.catalog import INITS, LAYER_INITS, SWITCH_GROUPS, model_names, model_spec


def check_switches(model: str, chosen: Iterable[str]) -> None:
    """Fail in one line when a switch the user chose does not exist on ``model``."""
    having = model_spec(model).switches
    for switch in chosen:
        if switch in SWITCH_GROUPS and switch not in having:
            others = [m for m in model_names() if switch in model_spec(m).switches]
            raise UserError(
                f"`{switch}` is not a switch of model={model}; the models that have it: "
                f"{', '.join(others)} (e.g. model={others[0]} {switch}=...)."
            )


def init_problem(model: str, init: str) -> str | None:
    """Why ``init`` cannot initialise ``model`` (None when it can), as a clause for a paragraph.

    A per-layer init (``cuda_convnet``) applies only to the models whose source config gives
    each layer's std; the others are refused rather than given a made-up table.
    """
    if init not in LAYER_INITS or init in model_spec(model).layer_inits:
        return None
    sourced = [m for m in model_names() if init in model_spec(m).layer_inits]
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
