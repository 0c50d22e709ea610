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

from collections import OrderedDict
from dataclasses import dataclass

import torch
from torch import nn

from alexnet_lab.models.layers import activation, local_response_norm, pooling


@dataclass(frozen=True)
class Geometry:
    """What differs between the 227-pixel paper net and its 32-pixel CIFAR version."""

    image_size: int
    conv1_kernel: int
    conv1_stride: int
    conv1_padding: int
    conv2_kernel: int
    fc_width: int
    ceil_mode: bool


PAPER = Geometry(227, 11, 4, 0, 5, 4096, ceil_mode=False)
CIFAR = Geometry(32, 5, 1, 2, 5, 2048, ceil_mode=True)
TWO_TOWER_WIDTHS = (96, 256, 384, 384, 256)


def conv_widths(towers: int) -> tuple[int, ...]:
    """Kernels per conv layer: the paper's for two towers; halved but conv5 for one tower."""
    if towers == 2:
        return TWO_TOWER_WIDTHS
    if towers == 1:
        return (*(w // 2 for w in TWO_TOWER_WIDTHS[:4]), TWO_TOWER_WIDTHS[4])
    raise ValueError(f"towers must be 1 or 2, not {towers}")


class AlexNet(nn.Module):
    """AlexNet with every switch visible where its layer is built."""

    bias_one_layers = (
        "features.conv2",
        "features.conv4",
        "features.conv5",
        "classifier.fc6",
        "classifier.fc7",
    )
    hidden_fc_layers = ("classifier.fc6", "classifier.fc7")

    def __init__(
        self,
        geometry: Geometry = PAPER,
        in_channels: int = 3,
        num_classes: int = 1000,
        act: str = "relu",
        norm: dict | None = None,
        pool_kernel: int = 3,
        pool_stride: int = 2,
        dropout: float = 0.5,
        towers: int = 2,
    ) -> None:
        super().__init__()
        norm = dict(norm or {"name": "none"})
        g = geometry
        w1, w2, w3, w4, w5 = conv_widths(towers)
        groups = towers  # conv2, conv4, conv5 see only their own tower's maps

        def pool() -> nn.Module:
            return pooling(pool_kernel, pool_stride, "max", ceil_mode=g.ceil_mode)

        def lrn(name: str) -> list[tuple[str, nn.Module]]:
            layer = local_response_norm(**norm)
            return [] if layer is None else [(name, layer)]

        c1 = nn.Conv2d(in_channels, w1, g.conv1_kernel, g.conv1_stride, g.conv1_padding)
        self.features = nn.Sequential(
            OrderedDict(
                [
                    ("conv1", c1),
                    ("act1", activation(act)),
                    *lrn("norm1"),
                    ("pool1", pool()),
                    ("conv2", nn.Conv2d(w1, w2, g.conv2_kernel, padding=2, groups=groups)),
                    ("act2", activation(act)),
                    *lrn("norm2"),
                    ("pool2", pool()),
                    ("conv3", nn.Conv2d(w2, w3, 3, padding=1)),
                    ("act3", activation(act)),
                    ("conv4", nn.Conv2d(w3, w4, 3, padding=1, groups=groups)),
                    ("act4", activation(act)),
                    ("conv5", nn.Conv2d(w4, w5, 3, padding=1, groups=groups)),
                    ("act5", activation(act)),
                    ("pool5", pool()),
                ]  # fmt: skip
            )
        )
        with torch.no_grad():
            flat = self.features(torch.zeros(1, in_channels, g.image_size, g.image_size)).numel()
        self.classifier = nn.Sequential(
            OrderedDict(
                [
                    ("flatten", nn.Flatten()),
                    ("fc6", nn.Linear(flat, g.fc_width)),
                    ("act6", activation(act)),
                    ("drop6", nn.Dropout(dropout)),
                    ("fc7", nn.Linear(g.fc_width, g.fc_width)),
                    ("act7", activation(act)),
                    ("drop7", nn.Dropout(dropout)),
                    ("fc8", nn.Linear(g.fc_width, num_classes)),
                ]  # fmt: skip
            )
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return class scores (logits) for a batch of images."""
        return self.classifier(self.features(x))
