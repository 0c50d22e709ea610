"""The model registry: ``@register_model(name)`` on a builder, ``get_model(name)``.

As torchvision's ``models`` registry (``register_model`` / ``get_model``): each model file
registers a builder under the name its ``conf/model/<name>.yaml`` gives in ``name:``. What
the checks need to know of a model (its switches, the per-layer inits it has a source for, its
layout) is in the catalog (:mod:`alexnet_lab.models.catalog`), which needs no torch; a name
registered here must have its spec there. :func:`get_model` imports the model's own file (its
spec's ``module``) the first time the model is built.

A builder is called as ``builder(options, switches, in_channels, num_classes, image_size)``:
``options`` are the model config's other keys (``fc_width``, ``local_width``, ...), ``switches``
the chosen :class:`~alexnet_lab.models.switches.Switches`.

``layer_inits`` are the per-layer inits a model's own source defines (``cuda_convnet``: each
layer's ``initW`` in Krizhevsky's example config), as ``{init name: {layer name: weight std}}``;
exactly the inits its spec lists. Choosing another is refused (:mod:`alexnet_lab.models.checks`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from torch import nn

from alexnet_lab.errors import UserError
from alexnet_lab.models.catalog import ModelSpec, model_spec
from alexnet_lab.models.switches import Switches


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
    """A registered model: its catalog spec, its builder and its per-layer init tables."""

    spec: ModelSpec
    builder: Builder
    layer_inits: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The model's name (``model=...``)."""
        return self.spec.name

    @property
    def switches(self) -> tuple[str, ...]:
        """The paper switches it has."""
        return self.spec.switches

    @property
    def channels_last(self) -> frozenset[str]:
        """The norms under which it runs channels-last by default on a CPU."""
        return self.spec.channels_last


_MODELS: dict[str, ModelEntry] = {}


def register_model(
    name: str, layer_inits: Mapping[str, Mapping[str, float]] | None = None
) -> Callable[[B], B]:
    """Register the decorated builder as model ``name``, whose spec is in the catalog.

    ``layer_inits``: a table of weight stds by layer name for each per-layer init its spec lists
    (:data:`~alexnet_lab.models.catalog.LAYER_INITS`). A name without a spec, or tables that
    are not its spec's, raise ``ValueError`` when the model's file is imported.
    """
    try:
        spec = model_spec(name)
    except UserError:
        raise ValueError(
            f"model {name!r} has no spec in alexnet_lab/models/catalog.py: add a "
            "ModelSpec there (catalog.add_model(...) for a model outside the package)"
        ) from None
    tables = {init: dict(table) for init, table in (layer_inits or {}).items()}
    if set(tables) != set(spec.layer_inits):
        raise ValueError(
            f"model {name!r}: its layer-init tables {sorted(tables)} are not the ones its "
            f"catalog spec lists, {sorted(spec.layer_inits)}"
        )

    def decorate(builder: B) -> B:
        if name in _MODELS and _MODELS[name].builder is not builder:
            raise ValueError(f"model {name!r} is registered twice")
        _MODELS[name] = ModelEntry(spec, builder, tables)
        return builder

    return decorate


def get_model(name: str) -> ModelEntry:
    """The registered model ``name``, its file imported; a one-line error for an unknown name."""
    if name not in _MODELS:
        importlib.import_module(model_spec(name).module)
    if name not in _MODELS:
        raise ValueError(f"{model_spec(name).module} registers no builder for model {name!r}")
    return _MODELS[name]
