"""The paper's network (section 3.5) and the same topology scaled to 32x32 CIFAR images.

``model=alexnet`` (227x227x3 input; the paper's "224" does not give 55x55 without padding):

=====  ===================================================================  ===============
layer  what                                                                 output
=====  ===================================================================  ===============
conv1  96 kernels 11x11, stride 4, act, LRN, max-pool 3/2                   55 -> 27, 96
conv2  256 kernels 5x5 pad 2, 2 groups (towers), act, LRN, max-pool 3/2     27 -> 13, 256
conv3  384 kernels 3x3 pad 1, sees both towers, act                         13, 384
conv4  384 kernels 3x3 pad 1, 2 groups, act                                 13, 384
conv5  256 kernels 3x3 pad 1, 2 groups, act, max-pool 3/2                   13 -> 6, 256
fc6    4096, act, dropout 0.5                                               4096
fc7    4096, act, dropout 0.5                                               4096
fc8    to the classes (softmax in the loss)                                 1000
=====  ===================================================================  ===============

60,965,224 parameters with two towers and 1000 classes.

**towers=one**, the paper's baseline for C6 (section 3.2): its footnote says the one-GPU net
has half the kernels of the two-GPU net in every convolutional layer except the last, which
keeps all of them, because most parameters sit in fc6, which reads the last conv layer; the
fully connected layers are not halved either. So the widths are conv1 48, conv2 128, conv3
192, conv4 192, conv5 256, fc6/fc7 4096, no groups: 59,798,312 parameters with 1000 classes.

``pooling=nonoverlap`` (2x2/2) uses floor rounding here and gives the same sizes (27, 13, 6),
so no other layer changes.

``model=alexnet_cifar`` keeps the topology, widths, towers and switches, for 32x32 input:
conv1 is 5x5 with stride 1 and pad 2 (32x32), pools use ceil rounding (32 -> 16 -> 8 -> 4 for
both pooling arms), and fc6/fc7 have ``fc_width`` units (2048 by default):

=====  ===========================================  ==============
conv1  96 @ 5x5 pad 2, act, LRN, max-pool 3/2       32 -> 16, 96
conv2  256 @ 5x5 pad 2, 2 groups, act, LRN, pool    16 -> 8, 256
conv3  384 @ 3x3 pad 1, act                         8, 384
conv4  384 @ 3x3 pad 1, 2 groups, act               8, 384
conv5  256 @ 3x3 pad 1, 2 groups, act, pool         8 -> 4, 256
fc6    2048, act, dropout                           2048
fc7    2048, act, dropout                           2048
fc8    to the classes                               10
=====  ===========================================  ==============

14,913,930 parameters with two towers and 10 classes (towers=one: 13,760,842).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from torch import nn

from alexnet_lab.errors import UserError
from alexnet_lab.models.registry import register_model
from alexnet_lab.models.switches import (
    Layers,
    NetInput,
    SwitchedNet,
    Switches,
    output_shape,
    sequential,
)


@dataclass(frozen=True)
class Geometry:
    """What differs between the 227-pixel paper net and its 32-pixel CIFAR version."""

    name: str
    image_size: int
    conv1_kernel: int
    conv1_stride: int
    conv1_padding: int
    conv2_kernel: int
    fc_width: int
    ceil_mode: bool


PAPER = Geometry("alexnet", 227, 11, 4, 0, 5, 4096, ceil_mode=False)
CIFAR = Geometry("alexnet_cifar", 32, 5, 1, 2, 5, 2048, ceil_mode=True)
GEOMETRIES = (PAPER, CIFAR)
TWO_TOWER_WIDTHS = (96, 256, 384, 384, 256)


def conv_widths(towers: int) -> tuple[int, ...]:
    """Kernels per conv layer: the paper's for two towers; halved but conv5 for one tower."""
    if towers == 2:
        return TWO_TOWER_WIDTHS
    if towers == 1:
        return (*(w // 2 for w in TWO_TOWER_WIDTHS[:4]), TWO_TOWER_WIDTHS[4])
    raise ValueError(f"towers must be 1 or 2, not {towers}")


class AlexNet(SwitchedNet):
    """AlexNet with every switch visible where its layer is built."""

    bias_one_layers = (
        "features.conv2",
        "features.conv4",
        "features.conv5",
        "classifier.fc6",
        "classifier.fc7",
    )
    hidden_fc_layers = ("classifier.fc6", "classifier.fc7")
    default_classes = 1000

    def layers(
        self, s: Switches, data: NetInput, geometry: Geometry = PAPER, fc_width: int | None = None
    ) -> Layers:
        """The net of ``geometry`` (``fc_width`` units in fc6/fc7 when given)."""
        g = check_size(geometry, data.size)
        fc = int(fc_width or g.fc_width)
        w1, w2, w3, w4, w5 = conv_widths(s.towers)
        groups = s.towers  # conv2, conv4, conv5 see only their own tower's maps
        conv1 = nn.Conv2d(data.channels, w1, g.conv1_kernel, g.conv1_stride, g.conv1_padding)
        features = sequential(
            ("conv1", conv1),
            ("act1", s.act()),
            ("norm1", s.norm_layer()),
            ("pool1", s.pool("max", g.ceil_mode)),
            ("conv2", nn.Conv2d(w1, w2, g.conv2_kernel, padding=2, groups=groups)),
            ("act2", s.act()),
            ("norm2", s.norm_layer()),
            ("pool2", s.pool("max", g.ceil_mode)),
            ("conv3", nn.Conv2d(w2, w3, 3, padding=1)),
            ("act3", s.act()),
            ("conv4", nn.Conv2d(w3, w4, 3, padding=1, groups=groups)),
            ("act4", s.act()),
            ("conv5", nn.Conv2d(w4, w5, 3, padding=1, groups=groups)),
            ("act5", s.act()),
            ("pool5", s.pool("max", g.ceil_mode)),
        )
        flat = output_shape(features, data.channels, g.image_size).numel()
        classifier = sequential(
            ("flatten", nn.Flatten()),
            ("fc6", nn.Linear(flat, fc)),
            ("act6", s.act()),
            ("drop6", s.drop()),
            ("fc7", nn.Linear(fc, fc)),
            ("act7", s.act()),
            ("drop7", s.drop()),
            ("fc8", nn.Linear(fc, data.classes)),
        )
        return features, classifier


def check_size(geometry: Geometry, image_size: int | None) -> Geometry:
    """``geometry`` if it takes ``image_size`` images (None: any); else a UserError with the fix."""
    if image_size is None or image_size == geometry.image_size:
        return geometry
    others = [g for g in GEOMETRIES if g.image_size == image_size] or [
        g for g in GEOMETRIES if g is not geometry
    ]
    fix = " or ".join(f"model={g.name} for {g.image_size}x{g.image_size} data" for g in others)
    raise UserError(
        f"model={geometry.name} takes {geometry.image_size}x{geometry.image_size} images but the "
        f"data gives {image_size}x{image_size}. Use {fix}, or data=synthetic "
        f"data.image_size={geometry.image_size}."
    )


for _geometry in GEOMETRIES:  # model=alexnet and model=alexnet_cifar
    register_model(_geometry.name)(partial(AlexNet.from_options, geometry=_geometry))
