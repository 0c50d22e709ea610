"""What every model shares: the paper's switches as layers, the size probe, features -> classifier.

A model file subclasses :class:`SwitchedNet` and writes one method, ``layers(s, data)``: it
builds every switched layer through :class:`Switches` (``s.act()``, ``s.norm_layer()``,
``s.pool(...)``, ``s.drop()``, ``s.towers``), lists the layers with :func:`sequential` (a switch
that is off, such as ``norm=none``, leaves its layer out) and sizes its classifier with
:func:`output_shape`, the size probe. The constructor, ``forward`` and the registry's builder
(:meth:`SwitchedNet.from_options`) are shared. :func:`alexnet_lab.models.build_model` reads
the switches from the config (:meth:`Switches.from_config`) and applies the init rule to every
model alike.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch
from torch import nn

from alexnet_lab.models.layers import activation, local_response_norm, pooling


def _paper_norm() -> dict[str, Any]:
    # the coefficients come from local_response_norm's defaults, the paper's (5, 1e-4, 0.75, 2)
    return {"name": "lrn"}


@dataclass(frozen=True)
class Switches:
    """The chosen value of every paper switch; the defaults are the paper's (section 3).

    ``norm`` is a ``norm`` config option (``name`` plus optional ``size``, ``alpha``, ``beta``,
    ``k``); a model with its own LRN coefficients fills in the keys the option leaves out.
    """

    activation: str = "relu"
    norm: Mapping[str, Any] = field(default_factory=_paper_norm)
    pool_kernel: int = 3
    pool_stride: int = 2
    dropout: float = 0.5
    towers: int = 2

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> Switches:
        """The switches of a composed config; a group the config lacks keeps its default."""
        paper = cls()

        def group(name: str) -> Mapping[str, Any]:
            return cfg.get(name) or {}

        return cls(
            activation=str(group("activation").get("name", paper.activation)),
            norm=dict(group("norm") or paper.norm),
            pool_kernel=int(group("pooling").get("kernel_size", paper.pool_kernel)),
            pool_stride=int(group("pooling").get("stride", paper.pool_stride)),
            dropout=float(group("dropout").get("p", paper.dropout)),
            towers=int(group("towers").get("count", paper.towers)),
        )

    def act(self) -> nn.Module:
        """A fresh activation layer."""
        return activation(self.activation)

    def norm_layer(self, **defaults: Any) -> nn.Module | None:
        """The response-norm layer, or None for ``norm=none``; ``defaults`` fill missing keys."""
        if self.norm.get("name", "none") == "none":
            return None
        return local_response_norm(**{**defaults, **self.norm})

    def pool(self, mode: str = "max", ceil_mode: bool = True) -> nn.Module:
        """A pooling layer with the chosen window and stride (``overlap`` 3/2, ``nonoverlap`` 2/2).

        ``ceil_mode=True`` is cuda-convnet's rounding (see :func:`layers.pooling`).
        """
        return pooling(self.pool_kernel, self.pool_stride, mode, ceil_mode=ceil_mode)

    def drop(self) -> nn.Module:
        """A dropout layer with the chosen probability (0 for ``dropout=off``)."""
        return nn.Dropout(self.dropout)


def sequential(*layers: tuple[str, nn.Module | None]) -> nn.Sequential:
    """An ``nn.Sequential`` of named layers, leaving out the ones a switch turned off (None)."""
    return nn.Sequential(OrderedDict((name, layer) for name, layer in layers if layer is not None))


def output_shape(layers: nn.Module, in_channels: int, image_size: int) -> torch.Size:
    """The (C, H, W) that ``layers`` make of one ``image_size`` square image: the size probe."""
    with torch.no_grad():
        return layers(torch.zeros(1, in_channels, image_size, image_size)).shape[1:]


def linear_classifier(
    features: nn.Module, in_channels: int, image_size: int, classes: int
) -> nn.Sequential:
    """One fully connected layer from the flattened output of ``features`` to the classes."""
    flat = output_shape(features, in_channels, image_size).numel()
    return sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(flat, classes)))


class NetInput(NamedTuple):
    """What the data give a net: channels, classes, image side (None: the model's own)."""

    channels: int
    classes: int
    size: int | None


#: a net's ``features`` and ``classifier``
Layers = tuple[nn.Sequential, nn.Sequential]


class SwitchedNet(nn.Module):
    """``features`` then ``classifier``, as torchvision's AlexNet, built from the switches.

    A model implements :meth:`layers` and names, for the init rule, ``bias_one_layers`` (the
    layers whose bias the paper's init sets to 1, section 5) and ``hidden_fc_layers`` (Caffe's
    init draws them smaller). ``options`` are the model's own keys (its ``conf/model`` file's
    keys besides ``name``), passed on to :meth:`layers`.
    """

    bias_one_layers: tuple[str, ...] = ()
    hidden_fc_layers: tuple[str, ...] = ()
    #: the classes when the caller names none
    default_classes: int = 10

    def __init__(
        self,
        in_channels: int = 3,
        num_classes: int | None = None,
        image_size: int | None = None,
        switches: Switches | None = None,
        **options: Any,
    ) -> None:
        super().__init__()
        self.switches = switches or Switches()
        data = NetInput(in_channels, num_classes or self.default_classes, image_size)
        self.features, self.classifier = self.layers(self.switches, data, **options)

    @classmethod
    def from_options(
        cls,
        options: Mapping[str, Any],
        switches: Switches,
        in_channels: int,
        num_classes: int,
        image_size: int,
        **fixed: Any,
    ) -> SwitchedNet:
        """The registry's builder: the net for these data, switches and model options.

        ``fixed`` are options the registered name itself sets (AlexNet's geometry).
        """
        return cls(in_channels, num_classes, image_size, switches, **{**options, **fixed})

    def layers(self, s: Switches, data: NetInput) -> Layers:
        """The ``features`` and ``classifier`` for ``data`` with the switches ``s``."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return class scores (logits) for a batch of images."""
        return self.classifier(self.features(x))
