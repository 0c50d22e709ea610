"""The models: their checks without torch, ``build_model(cfg, ...)`` through the registry.

Importing this package loads no torch: the checks made before a run (``check_switches``,
``init_problem``, ``check_init``, ``list_models``) read the catalog
(:mod:`alexnet_lab.models.catalog`). ``build_model``, ``get_model``, ``register_model`` and
``Switches`` load torch when first used (PEP 562's module ``__getattr__``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from alexnet_lab.models.catalog import model_names as list_models
from alexnet_lab.models.checks import check_init, check_switches, init_problem

if TYPE_CHECKING:
    from alexnet_lab.models.build import build_model
    from alexnet_lab.models.registry import get_model, register_model
    from alexnet_lab.models.switches import Switches

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

#: the names that load torch, and the module each comes from
_WITH_TORCH = {
    "build_model": "alexnet_lab.models.build",
    "get_model": "alexnet_lab.models.registry",
    "register_model": "alexnet_lab.models.registry",
    "Switches": "alexnet_lab.models.switches",
}


def __getattr__(name: str) -> Any:
    """``build_model`` and the other names that need torch, imported on first use."""
    if name in _WITH_TORCH:
        return getattr(importlib.import_module(_WITH_TORCH[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
