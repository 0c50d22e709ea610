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

Two members of the same family carry the switches convnet4 lacks, for the claims' CPU
protocols (``experiment=cpu/<name>``), each changing only what its claim needs:

- ``convnet4_fc`` (C4, dropout): convnet4's features, then two hidden fully connected layers
  (``fc_width`` units, 256 by default) each followed by its activation and dropout, then the
  classifier: the paper's fc6/fc7/fc8 arrangement (section 4.2: dropout "in the first two
  fully-connected layers") at CIFAR scale.
- ``convnet4_towers`` (C6, two towers): ``towers=two`` splits conv1 and conv2 into two towers
  of 16 kernels each (conv2 grouped: each tower sees only its own maps) and conv3 sees both, as
  the paper's conv3; ``towers=one`` is one tower with half the kernels (conv1 16, conv2 16), the
  last conv layer (conv3, 64) not halved, as the paper's one-GPU baseline (section 3.2).
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
    output_shape,
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


register_model("convnet4", layer_inits={"cuda_convnet": CUDA_CONVNET_INIT})(ConvNet4.from_options)


class ConvNet4FC(ConvNet4):
    """convnet4 with two hidden fully connected layers, each with its activation and dropout.

    The paper's init sets the hidden layers' biases to 1 (section 5), as AlexNet's fc6/fc7.
    """

    bias_one_layers = ("classifier.fc6", "classifier.fc7")
    hidden_fc_layers = ("classifier.fc6", "classifier.fc7")

    def layers(self, s: Switches, data: NetInput, fc_width: int = 256) -> Layers:
        """convnet4's features; fc6 and fc7 of ``fc_width`` units with dropout; fc8."""
        features, _ = super().layers(s, data)
        flat = output_shape(features, data.channels, data.size or 32).numel()
        classifier = sequential(
            ("flatten", nn.Flatten()),
            ("fc6", nn.Linear(flat, fc_width)),
            ("act6", s.act()),
            ("drop6", s.drop()),
            ("fc7", nn.Linear(fc_width, fc_width)),
            ("act7", s.act()),
            ("drop7", s.drop()),
            ("fc8", nn.Linear(fc_width, data.classes)),
        )
        return features, classifier


#: layers-18pct's stds for the shared layers; the hidden layers it lacks take fc10's 0.01
CUDA_CONVNET_FC_INIT: dict[str, float] = {
    **{k: v for k, v in CUDA_CONVNET_INIT.items() if k.startswith("features.")},
    "classifier.fc6": 0.01,
    "classifier.fc7": 0.01,
    "classifier.fc8": 0.01,
}

register_model("convnet4_fc", layer_inits={"cuda_convnet": CUDA_CONVNET_FC_INIT})(
    ConvNet4FC.from_options
)


class ConvNet4Towers(SwitchedNet):
    """convnet4 as two towers (conv2 grouped, conv3 across) or one tower of half the kernels."""

    def layers(self, s: Switches, data: NetInput) -> Layers:
        """conv1 16 per tower, conv2 16 per tower seeing its own tower, conv3 64 seeing both."""
        tower = 16
        width = tower * s.towers
        features = sequential(
            ("conv1", nn.Conv2d(data.channels, width, 5, padding=2)),
            ("act1", s.act()),
            ("pool1", s.pool("max")),
            ("norm1", s.norm_layer()),
            ("conv2", nn.Conv2d(width, width, 5, padding=2, groups=s.towers)),
            ("act2", s.act()),
            ("pool2", s.pool("avg")),
            ("norm2", s.norm_layer()),
            ("conv3", nn.Conv2d(width, 64, 5, padding=2)),
            ("act3", s.act()),
            ("pool3", s.pool("avg")),
        )
        return features, linear_classifier(features, data.channels, data.size or 32, data.classes)


register_model("convnet4_towers", layer_inits={"cuda_convnet": CUDA_CONVNET_INIT})(
    ConvNet4Towers.from_options
)
