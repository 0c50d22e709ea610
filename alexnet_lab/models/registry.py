"""The model registry: ``@register_model(name, switches=...)`` on a builder, ``get_model(name)``.

As torchvision's ``models`` registry (``register_model`` / ``get_model``): each model file
registers a builder under the name its ``conf/model/<name>.yaml`` gives in ``name:``, so a new
model is its file and its config. Every module of this package is imported the first time a
name is looked up, so no list of models is kept anywhere else.

A builder is called as ``builder(options, switches, in_channels, num_classes, image_size)``:
``options`` are the model config's other keys (``fc_width``, ``local_width``, ...), ``switches``
the chosen :class:`~alexnet_lab.models.switches.Switches`.

``layer_inits`` are the per-layer inits a model's own source defines (``cuda_convnet``: each
layer's ``initW`` in Krizhevsky's example config), as ``{init name: {layer name: weight std}}``;
a model without a source for such an init does not list it, and choosing it is refused.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from torch import nn

from alexnet_lab.errors import UserError
from alexnet_lab.models.layers import LAYER_INITS
from alexnet_lab.models.switches import SWITCH_GROUPS, Switches


class Builder(Protocol):
    """What ``register_model`` decorates: builds one model from its options and switches."""

    def __call__(
        self,
        options: Mapping[str, Any],
        switches: Switches,
        in_channels: int,
        num_classes: int,
        image_size: int,
        /,
    ) -> nn.Module:
        """Return the model for ``image_size`` square images of ``in_channels`` channels."""
        ...


B = TypeVar("B", bound=Builder)


@dataclass(frozen=True)
class ModelEntry:
    """A registered model: its builder and the paper switches it has."""

    name: str
    builder: Builder
    switches: tuple[str, ...]
    layer_inits: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: the norms (``norm=...``) under which its training step was measured faster
    #: channels-last than contiguous on a CPU (fp32, one thread, ``bench/cpu_speed.py``):
    #: ``trainer.channels_last=null`` then uses channels-last there
    channels_last: frozenset[str] = frozenset()


_MODELS: dict[str, ModelEntry] = {}


def register_model(
    name: str,
    switches: Iterable[str],
    layer_inits: Mapping[str, Mapping[str, float]] | None = None,
    channels_last: Iterable[str] = (),
) -> Callable[[B], B]:
    """Register the decorated builder as model ``name`` with the given switch groups.

    ``layer_inits``: the per-layer inits (:data:`~alexnet_lab.models.layers.LAYER_INITS`) the
    model has a source for, each a table of weight stds by layer name; ``channels_last``: the norms
    under which its training step was measured faster channels-last on a CPU
    (:mod:`alexnet_lab.run.layout`).
    """
    having = tuple(switches)
    unknown = sorted(set(having) - set(SWITCH_GROUPS))
    if unknown:
        raise ValueError(f"model {name!r}: unknown switches {unknown}; valid: {SWITCH_GROUPS}")
    tables = {init: dict(table) for init, table in (layer_inits or {}).items()}
    strange = sorted(set(tables) - set(LAYER_INITS))
    if strange:
        raise ValueError(f"model {name!r}: unknown layer inits {strange}; valid: {LAYER_INITS}")

    def decorate(builder: B) -> B:
        if name in _MODELS and _MODELS[name].builder is not builder:
            raise ValueError(f"model {name!r} is registered twice")
        _MODELS[name] = ModelEntry(name, builder, having, tables, frozenset(channels_last))
        return builder

    return decorate


def _import_models() -> None:
    """Import every module of ``alexnet_lab.models`` so that its builders register."""
    package = importlib.import_module("alexnet_lab.models")
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")


def list_models() -> list[str]:
    """The registered model names, sorted."""
    _import_models()
    return sorted(_MODELS)


def get_model(name: str) -> ModelEntry:
    """The registered model ``name``; a one-line error naming the valid ones otherwise."""
    if name not in _MODELS:
        _import_models()
    if name not in _MODELS:
        raise UserError(f"unknown model {name!r}; valid: {', '.join(list_models())}")
    return _MODELS[name]
