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

cuda-convnet's own init (``initW``, Gaussian std; biases 0) was conv1 1e-4, conv2 0.01,
local3/local4 0.04, fc 0.01; for its per-layer weight decay see :data:`WEIGHT_DECAY_LAYERS`.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from alexnet_lab.models.layers import activation, local_response_norm, pooling

#: cuda-convnet's ``cmrnorm`` parameters in ``layers-conv-local-11pct`` (size 9, scale 0.001
#: which cuda-convnet divides by the size, pow 0.75, the constant 1), in ``PaperLRN`` terms.
CUDA_CONVNET_LRN: dict[str, float] = {"size": 9, "alpha": 0.001, "beta": 0.75, "k": 1.0}

#: Layers that carried weight decay in ``layer-params-conv-local-11pct.cfg``: ``wc=0.004`` on
#: local3, local4 and fc10, ``wc=0`` on conv1 and conv2. Names are the last component of the
#: ``named_modules`` names (``features.local3``, ``features.local4``, ``classifier.fc``).
WEIGHT_DECAY_LAYERS: tuple[str, ...] = ("local3", "local4", "fc")


class LocallyConnected2d(nn.Module):
    """A 2D locally connected layer: a convolution whose filters are not shared over positions.

    Every output position (i, j) has its own ``out_channels`` filters of size
    ``in_channels x kernel_size x kernel_size`` and its own biases, as cuda-convnet's ``local``
    layer. The input must be square, ``in_size x in_size``; the output is
    ``out_size = (in_size + 2 * padding - kernel_size) // stride + 1`` square.

    Weight layout: ``weight`` has shape ``(out_size**2, out_channels, in_channels * k * k)``.
    The first index is the output position in row-major order, ``l = i * out_size + j`` (the
    column order of :func:`torch.nn.functional.unfold`); the last index is ordered
    ``(channel, kernel row, kernel column)``, so ``weight[l].view(out_channels, in_channels, k,
    k)`` is a ``Conv2d``-shaped filter bank for position ``l``. ``bias`` has shape
    ``(out_channels, out_size, out_size)``.

    Default init mirrors ``nn.Conv2d``: weights and biases ~ U(-b, b), b = 1 / sqrt(fan_in),
    fan_in = in_channels * k * k. The forward pass is one ``unfold`` and one batched
    ``einsum`` (no loop over positions).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        in_size: int,
        kernel_size: int,
        padding: int = 0,
        stride: int = 1,
        bias: bool = True,
    ) -> None:
        super().__init__()
        out_size = (in_size + 2 * padding - kernel_size) // stride + 1
        if out_size < 1:
            raise ValueError(
                f"kernel {kernel_size} with padding {padding} does not fit input {in_size}"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.in_size, self.out_size = in_size, out_size
        self.kernel_size, self.padding, self.stride = kernel_size, padding, stride
        fan_in = in_channels * kernel_size * kernel_size
        self.weight = nn.Parameter(torch.empty(out_size * out_size, out_channels, fan_in))
        if bias:
            self.bias: nn.Parameter | None = nn.Parameter(
                torch.empty(out_channels, out_size, out_size)
            )
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw weights and biases from U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        bound = 1.0 / math.sqrt(self.weight.shape[-1])
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``x`` (N, in_channels, in_size, in_size) to (N, out_channels, out_size, out_size)."""
        if x.shape[-2:] != (self.in_size, self.in_size):
            raise ValueError(
                f"expected {self.in_size}x{self.in_size} input, got {tuple(x.shape[-2:])}"
            )
        # cols: (N, in_channels * k * k, out_size**2), one column per output position.
        cols = F.unfold(x, self.kernel_size, padding=self.padding, stride=self.stride)
        out = torch.einsum("nkl,lok->nol", cols, self.weight)
        out = out.reshape(x.shape[0], self.out_channels, self.out_size, self.out_size)
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        """Describe the layer like ``Conv2d`` does, plus its input size."""
        return (
            f"{self.in_channels}, {self.out_channels}, in_size={self.in_size}, "
            f"kernel_size={self.kernel_size}, padding={self.padding}, stride={self.stride}, "
            f"bias={self.bias is not None}"
        )


class ConvNetLocal(nn.Module):
    """Two 5x5 conv layers, two locally connected 3x3 layers and a linear classifier."""

    #: layers whose bias the paper's init sets to 1 (none: cuda-convnet's biases start at 0).
    bias_one_layers: tuple[str, ...] = ()
    hidden_fc_layers: tuple[str, ...] = ()

    def __init__(
        self,
        in_channels: int = 3,
        num_classes: int = 10,
        image_size: int = 24,
        act: str = "relu",
        norm: dict | None = None,
        pool_kernel: int = 3,
        pool_stride: int = 2,
        local_width: int = 64,
    ) -> None:
        super().__init__()
        norm = dict(norm or {"name": "none"})
        if norm["name"] != "none":
            norm = {**CUDA_CONVNET_LRN, **norm}

        def pool() -> nn.Module:
            return pooling(pool_kernel, pool_stride, "max", ceil_mode=True)

        def lrn(i: int) -> list[tuple[str, nn.Module]]:
            layer = local_response_norm(**norm)
            return [] if layer is None else [(f"norm{i}", layer)]

        convs: list[tuple[str, nn.Module]] = [
            ("conv1", nn.Conv2d(in_channels, 64, 5, padding=2)),
            ("act1", activation(act)),
            ("pool1", pool()),
            *lrn(1),
            ("conv2", nn.Conv2d(64, 64, 5, padding=2)),
            ("act2", activation(act)),
            *lrn(2),
            ("pool2", pool()),
        ]
        with torch.no_grad():
            probe = nn.Sequential(OrderedDict(convs))
            size = probe(torch.zeros(1, in_channels, image_size, image_size)).shape[-1]
        locals_: list[tuple[str, nn.Module]] = [
            ("local3", LocallyConnected2d(64, local_width, size, 3, padding=1)),
            ("act3", activation(act)),
            ("local4", LocallyConnected2d(local_width, 32, size, 3, padding=1)),
            ("act4", activation(act)),
        ]
        self.features = nn.Sequential(OrderedDict(convs + locals_))
        with torch.no_grad():
            flat = self.features(torch.zeros(1, in_channels, image_size, image_size)).numel()
        self.classifier = nn.Sequential(
            OrderedDict([("flatten", nn.Flatten()), ("fc", nn.Linear(flat, num_classes))])
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return class scores (logits) for a batch of images."""
        return self.classifier(self.features(x))
