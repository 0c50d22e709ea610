"""cuda-convnet's ``layers-conv-local-11pct`` CIFAR-10 net: two convs, two locally connected.

The net behind the paper's CIFAR-10 LRN result (13% -> 11% test error), on 24x24 crops:

======  ================================================  ==============
layer   what                                              output (24x24)
======  ================================================  ==============
conv1   64 kernels 5x5, pad 2, activation                 24x24x64
pool1   max-pool (3/2 overlap | 2/2)                      12x12x64
norm1   [cross-map LRN]                                   12x12x64
conv2   64 kernels 5x5, pad 2, activation                 12x12x64
norm2   [cross-map LRN]                                   12x12x64
pool2   max-pool (3/2 | 2/2)                              6x6x64
local3  ``local_width`` (64) locally connected 3x3,       6x6x64
        pad 1, activation
local4  32 locally connected 3x3, pad 1, activation       6x6x32
fc      fully connected to the classes                    10
======  ================================================  ==============

Pools use cuda-convnet's ceil rounding (``outputsX=0``), so both pooling arms give 24 -> 12 -> 6.
Note the asymmetry of the original config: norm1 comes *after* pool1, norm2 *before* pool2.
"Locally connected" means unshared weights: each of the 6x6 output positions has its own filter
bank and its own biases (see :class:`LocallyConnected2d`). 2,112,970 parameters with 3 input
channels, 10 classes and ``local_width=64``: conv1 4,864, conv2 102,464, local3 1,329,408
(1,327,104 weights + 2,304 biases), local4 664,704 (663,552 + 1,152), fc 11,530.
``local_width=32`` is the ``-13pct`` net's local3 (that net had no response norm at all).

The norm (``norm=lrn|lrn_literal``) is cuda-convnet's ``cmrnorm``: size 9, scale 0.001 divided
by the size, power 0.75, k = 1 (hard-coded ``1 +`` in cuda-convnet's kernel), i.e.
:data:`CUDA_CONVNET_LRN` with ``lrn`` (coefficient alpha/n, what cuda-convnet ran). Any of
``size``/``alpha``/``beta``/``k`` missing from the ``norm`` option is taken from
:data:`CUDA_CONVNET_LRN`; keys given explicitly win, so a config that passes the ImageNet
paper's values (5, 1e-4, 0.75, 2) gets those instead.

``norm=rnorm`` (cuda-convnet's within-map norm, which this net's source did not use) keeps the
``norm`` option's own values at the same two places.

cuda-convnet's own init (``initW``, Gaussian std; biases 0) was conv1 1e-4, conv2 0.01,
local3/local4 0.04, fc 0.01, the same in the -11pct and -13pct configs: ``init=cuda_convnet``
(:data:`CUDA_CONVNET_INIT`). For its per-layer weight decay see :data:`WEIGHT_DECAY_LAYERS`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from torch import nn

from alexnet_lab.models.layers import CROSS_MAP_NORMS
from alexnet_lab.models.locally_connected import LocallyConnected2d
from alexnet_lab.models.registry import register_model
from alexnet_lab.models.switches import (
    Layers,
    NetInput,
    SwitchedNet,
    Switches,
    linear_classifier,
    output_shape,
    sequential,
)

#: cuda-convnet's ``cmrnorm`` parameters in ``layers-conv-local-11pct`` (size 9, scale 0.001
#: which cuda-convnet divides by the size, pow 0.75, the constant 1), in ``PaperLRN`` terms.
CUDA_CONVNET_LRN: dict[str, float] = {"size": 9, "alpha": 0.001, "beta": 0.75, "k": 1.0}

#: Layers that carried weight decay in ``layer-params-conv-local-11pct.cfg``: ``wc=0.004`` on
#: local3, local4 and fc10, ``wc=0`` on conv1 and conv2. Names are the last component of the
#: ``named_modules`` names (``features.local3``, ``features.local4``, ``classifier.fc``).
WEIGHT_DECAY_LAYERS: tuple[str, ...] = ("local3", "local4", "fc")

#: ``initW`` of each weighted layer in ``layers-conv-local-11pct.cfg`` and ``-13pct.cfg`` (the
#: std of a zero-mean normal; no ``initB``, so biases start at cuda-convnet's default 0).
CUDA_CONVNET_INIT: dict[str, float] = {
    "features.conv1": 1e-4,
    "features.conv2": 0.01,
    "features.local3": 0.04,
    "features.local4": 0.04,
    "classifier.fc": 0.01,  # fc10
}


class ConvNetLocal(SwitchedNet):
    """Two 5x5 conv layers, two locally connected 3x3 layers and a linear classifier.

    The paper's init sets no bias to 1 here: cuda-convnet's biases start at 0.
    """

    def layers(
        self,
        s: Switches,
        data: NetInput,
        local_width: int = 64,
        lrn: Mapping[str, Any] | None = None,
    ) -> Layers:
        """The net for ``data.size`` (default 24) square images.

        ``local_width``: local3's filters (64: the 11% net, 32: the 13% net). ``lrn``: the model
        config's own cmrnorm coefficients, which replace the ``norm`` group's when a cross-map norm
        is on (``rnorm`` keeps its own).
        """
        cross_map = s.norm.get("name", "none") in CROSS_MAP_NORMS
        if lrn and cross_map:
            s = dataclasses.replace(s, norm={"name": s.norm["name"], **dict(lrn)})
        defaults = CUDA_CONVNET_LRN if cross_map else {}  # rnorm: its own option's values
        size = data.size or 24
        convs = sequential(
            ("conv1", nn.Conv2d(data.channels, 64, 5, padding=2)),
            ("act1", s.act()),
            ("pool1", s.pool("max")),
            ("norm1", s.norm_layer(**defaults)),
            ("conv2", nn.Conv2d(64, 64, 5, padding=2)),
            ("act2", s.act()),
            ("norm2", s.norm_layer(**defaults)),
            ("pool2", s.pool("max")),
        )
        side = output_shape(convs, data.channels, size)[-1]
        features = sequential(
            *convs.named_children(),
            ("local3", LocallyConnected2d(64, local_width, side, 3, padding=1)),
            ("act3", s.act()),
            ("local4", LocallyConnected2d(local_width, 32, side, 3, padding=1)),
            ("act4", s.act()),
        )
        return features, linear_classifier(features, data.channels, size, data.classes)


register_model("convnet_local", layer_inits={"cuda_convnet": CUDA_CONVNET_INIT})(
    ConvNetLocal.from_options
)
