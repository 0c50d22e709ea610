"""cuda-convnet's ``local`` layer: a convolution whose filters are not shared over positions."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


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
