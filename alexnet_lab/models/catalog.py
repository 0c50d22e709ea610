"""The models as data, without torch: each model's name, switches, per-layer inits and layout.

Every check made on a model before it is built (a switch it lacks, an init with no source for
it, the names the help and the errors list, the layout ``trainer.channels_last=null`` picks)
reads this table, so a refused command answers before torch loads. The builders live in the
model files (``register_model`` in :mod:`alexnet_lab.models.registry`); ``module`` names the
file whose import registers the model's builder, imported only when the model is built.

A model outside this package adds its spec with :func:`add_model` and registers its builder
as any other. The registry refuses a builder whose name has no spec here, or whose per-layer
init tables are not the ones its spec lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from alexnet_lab.errors import UserError

#: the config groups that are model switches (init applies to every model and is not one)
SWITCH_GROUPS = ("activation", "norm", "pooling", "dropout", "towers")
#: the ``init`` options (``conf/init/*.yaml``)
INITS = ("paper", "caffe", "torch", "cuda_convnet")
#: inits whose per-layer weight stds each model declares (``register_model(layer_inits=...)``)
LAYER_INITS = ("cuda_convnet",)


@dataclass(frozen=True)
class ModelSpec:
    """One model as data: what the checks need to know of it before it is built.

    ``switches``: the paper switches it has (:data:`SWITCH_GROUPS`); ``layer_inits``: the
    per-layer inits (:data:`LAYER_INITS`) its own source gives each layer's std for (the stds
    themselves are in its model file, by layer name); ``channels_last``: the norms
    (``norm=...``) under which its training step was measured faster channels-last than
    contiguous on a CPU (fp32, one thread, ``bench/cpu_speed.py``), where
    ``trainer.channels_last=null`` uses channels-last; ``module``: the module whose import
    registers its builder.
    """

    name: str
    module: str
    switches: tuple[str, ...]
    layer_inits: tuple[str, ...] = ()
    channels_last: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.switches) - set(SWITCH_GROUPS))
        if unknown:
            raise ValueError(
                f"model {self.name!r}: unknown switches {unknown}; valid: {SWITCH_GROUPS}"
            )
        strange = sorted(set(self.layer_inits) - set(LAYER_INITS))
        if strange:
            raise ValueError(
                f"model {self.name!r}: unknown layer inits {strange}; valid: {LAYER_INITS}"
            )


def _spec(
    name: str,
    module: str,
    switches: Iterable[str],
    layer_inits: Iterable[str] = (),
    channels_last: Iterable[str] = (),
) -> ModelSpec:
    return ModelSpec(
        name,
        f"alexnet_lab.models.{module}",
        tuple(switches),
        tuple(layer_inits),
        frozenset(channels_last),
    )


_ALEXNET_SWITCHES = ("activation", "norm", "pooling", "dropout", "towers")

#: the package's models; each ``conf/model/<name>.yaml`` names one of them in ``name:``
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        _spec("alexnet", "alexnet", _ALEXNET_SWITCHES),
        _spec("alexnet_cifar", "alexnet", _ALEXNET_SWITCHES),
        # measured faster channels-last on a CPU (docs/benchmarks.md): 1.26x, with lrn 1.12x
        _spec(
            "convnet4",
            "convnet4",
            ("activation", "norm", "pooling"),
            ("cuda_convnet",),
            ("none", "lrn"),
        ),
        # as convnet4; measured 1.2-1.4x (bench/cpu_speed.py)
        _spec(
            "convnet4_fc",
            "convnet4",
            ("activation", "norm", "pooling", "dropout"),
            ("cuda_convnet",),
            ("none", "lrn"),
        ),
        _spec(
            "convnet4_towers",
            "convnet4",
            ("activation", "norm", "pooling", "towers"),
            ("cuda_convnet",),
            ("none", "lrn"),
        ),
        # measured faster channels-last on a CPU (docs/benchmarks.md): 1.18x; with lrn 0.96x
        _spec(
            "convnet_local",
            "convnet_local",
            ("activation", "norm", "pooling"),
            ("cuda_convnet",),
            ("none",),
        ),
    )
}


def add_model(spec: ModelSpec) -> ModelSpec:
    """Add a model defined outside this package to :data:`MODELS`; returns ``spec``.

    Raises ``ValueError`` when another spec has its name.
    """
    taken = MODELS.get(spec.name)
    if taken is not None and taken != spec:
        raise ValueError(f"model {spec.name!r} is in the catalog already, as {taken}")
    MODELS[spec.name] = spec
    return spec


def model_names() -> list[str]:
    """The models' names, sorted."""
    return sorted(MODELS)


def model_spec(name: str) -> ModelSpec:
    """The spec of model ``name``; a one-line error naming the valid ones otherwise."""
    try:
        return MODELS[name]
    except KeyError:
        raise UserError(f"unknown model {name!r}; valid: {', '.join(model_names())}") from None
