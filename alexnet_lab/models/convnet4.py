"""The four-layer CIFAR-10 net of Figure 1: cuda-convnet's ``layers-18pct`` topology.

=====  =========================================  ===============
layer  what                                       output (32x32)
=====  =========================================  ===============
conv1  32 kernels 5x5, pad 2, activation          32x32x32
pool1  max-pool (3/2 overlap | 2/2), [norm]       16x16x32
conv2  32 kernels 5x5, pad 2, activation          16x16x32
pool2  avg-pool (3/2 | 2/2), [norm]               8x8x32
conv3  64 kernels 5x5, pad 2, activation          8x8x64
pool3  avg-pool (3/2 | 2/2)                       4x4x64
fc     fully connected to the classes             10
=====  =========================================  ===============

Pools use cuda-convnet's ceil rounding, so both pooling arms give the same sizes. The norm
sits where layers-18pct had its response norm, after pool1 and pool2: ``norm=rnorm`` is that
source's own within-map ``rnorm`` (size 3, scale 5e-5, pow 0.75), ``norm=lrn|lrn_literal`` the
paper's cross-map LRN in its place; Figure 1 itself ran without any ("no regularization of any
kind"). 89,578 parameters with 3 input channels and 10 classes.

``init=cuda_convnet`` draws each layer's weights with the std of layers-18pct's ``initW``
(:data:`CUDA_CONVNET_INIT`; biases 0): conv1's 1e-4 keeps its responses to centred 0-255
input near a std of 0.05, where N(0, 0.01) puts them near 5, in tanh's saturated range.
"""

from __future__ import annotations

from torch import nn

from alexnet_lab.models.registry import register_model
from alexnet_lab.models.switches import (
    Layers,
    NetInput,
    SwitchedNet,
    Switches,
    linear_classifier,
    sequential,
)

#: ``initW`` of each weighted layer in cuda-convnet's ``layers-18pct.cfg`` (the std of a
#: zero-mean normal; ``initB`` is not set there, so biases start at its default 0).
CUDA_CONVNET_INIT: dict[str, float] = {
    "features.conv1": 1e-4,
    "features.conv2": 0.01,
    "features.conv3": 0.01,
    "classifier.fc": 0.01,  # fc10
}


class ConvNet4(SwitchedNet):
    """Three 5x5 conv layers and one fully connected layer, every paper switch applied.

    The paper's init sets no bias to 1 here: layers-18pct used biases 0.
    """

    def layers(self, s: Switches, data: NetInput) -> Layers:
        """Figure 1's net for ``data.size`` (default 32) square images."""
        features = sequential(
            ("conv1", nn.Conv2d(data.channels, 32, 5, padding=2)),
            ("act1", s.act()),
            ("pool1", s.pool("max")),
            ("norm1", s.norm_layer()),
            ("conv2", nn.Conv2d(32, 32, 5, padding=2)),
            ("act2", s.act()),
            ("pool2", s.pool("avg")),
            ("norm2", s.norm_layer()),
            ("conv3", nn.Conv2d(32, 64, 5, padding=2)),
            ("act3", s.act()),
            ("pool3", s.pool("avg")),
        )
        return features, linear_classifier(features, data.channels, data.size or 32, data.classes)


register_model(
    "convnet4",
    switches=("activation", "norm", "pooling"),
    layer_inits={"cuda_convnet": CUDA_CONVNET_INIT},
    # measured faster channels-last on a CPU (docs/benchmarks.md): 1.26x, with lrn 1.12x
    channels_last=("none", "lrn"),
)(ConvNet4.from_options)
