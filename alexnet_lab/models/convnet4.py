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
(``norm=lrn|lrn_literal``) sits where layers-18pct had its response norm, after pool1 and pool2;
Figure 1 itself ran without it ("no regularization of any kind"). 89,578 parameters
with 3 input channels and 10 classes.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from alexnet_lab.models.layers import activation, local_response_norm, pooling


class ConvNet4(nn.Module):
    """Three 5x5 conv layers and one fully connected layer, every paper switch applied."""

    #: layers whose bias the paper's init sets to 1 (none: layers-18pct used biases 0).
    bias_one_layers: tuple[str, ...] = ()
    hidden_fc_layers: tuple[str, ...] = ()

    def __init__(
        self,
        in_channels: int = 3,
        num_classes: int = 10,
        image_size: int = 32,
        act: str = "relu",
        norm: dict | None = None,
        pool_kernel: int = 3,
        pool_stride: int = 2,
    ) -> None:
        super().__init__()
        norm = dict(norm or {"name": "none"})

        def pool(mode: str) -> nn.Module:
            return pooling(pool_kernel, pool_stride, mode, ceil_mode=True)

        def lrn(name: str) -> list[tuple[str, nn.Module]]:
            layer = local_response_norm(**norm)
            return [] if layer is None else [(name, layer)]

        def block(i: int, c_in: int, c_out: int, mode: str, with_norm: bool) -> list:
            layers = [
                (f"conv{i}", nn.Conv2d(c_in, c_out, 5, padding=2)),
                (f"act{i}", activation(act)),
                (f"pool{i}", pool(mode)),
            ]
            if with_norm:
                layers += lrn(f"norm{i}")
            return layers

        self.features = nn.Sequential(
            OrderedDict(
                block(1, in_channels, 32, "max", with_norm=True)
                + block(2, 32, 32, "avg", with_norm=True)
                + block(3, 32, 64, "avg", with_norm=False)
            )
        )
        with torch.no_grad():
            flat = self.features(torch.zeros(1, in_channels, image_size, image_size)).numel()
        self.classifier = nn.Sequential(
            OrderedDict([("flatten", nn.Flatten()), ("fc", nn.Linear(flat, num_classes))])
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return class scores (logits) for a batch of images."""
        return self.classifier(self.features(x))
