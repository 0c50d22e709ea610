"""The paper's switches as layer factories: activation, pooling, local response norm, init."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from alexnet_lab.models.catalog import INITS, LAYER_INITS
from alexnet_lab.models.locally_connected import LocallyConnected2d

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
}
#: the cross-map norms (section 3.3's LRN) and ``rnorm``, cuda-convnet's within-map norm
NORMS = ("lrn", "lrn_literal", "rnorm", "none")
CROSS_MAP_NORMS = ("lrn", "lrn_literal")
#: section 3.3's LRN: n=5, alpha=1e-4, beta=0.75, k=2
PAPER_LRN: dict[str, float] = {"size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0}
#: ``rnorm1``/``rnorm2`` of cuda-convnet's layers-18pct: size 3, scale 5e-5, pow 0.75 (the
#: constant 1 is cuda-convnet's kernel's)
CUDA_CONVNET_RNORM: dict[str, float] = {"size": 3, "alpha": 5e-5, "beta": 0.75, "k": 1.0}


def activation(name: str) -> nn.Module:
    """Return a fresh activation module by its config name (relu, tanh, sigmoid, gelu)."""
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; valid: {sorted(ACTIVATIONS)}") from None


def pooling(kernel_size: int, stride: int, mode: str = "max", ceil_mode: bool = False) -> nn.Module:
    """Return a max or average pooling layer of the given window and stride.

    ``ceil_mode=True`` reproduces cuda-convnet's output size, ceil((in - z) / s) + 1, which
    keeps overlapping (3/2) and non-overlapping (2/2) pooling at equal sizes on 32x32 input.
    """
    if mode == "max":
        return nn.MaxPool2d(kernel_size, stride, ceil_mode=ceil_mode)
    if mode == "avg":
        return nn.AvgPool2d(kernel_size, stride, ceil_mode=ceil_mode)
    raise ValueError(f"unknown pooling mode {mode!r}; valid: ['avg', 'max']")


class PaperLRN(nn.Module):
    """Local response normalization across channels (section 3.3).

    b[i] = a[i] / (k + c * sum_{j=i-n/2}^{i+n/2} a[j]^2) ** beta, with the coefficient
    c = alpha / n (``literal=False``, what cuda-convnet and Caffe ran) or c = alpha
    (``literal=True``, the formula as printed).
    """

    def __init__(
        self, size: int, alpha: float, beta: float, k: float, literal: bool = False
    ) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k, self.literal = size, alpha, beta, k, literal
        # torch's LocalResponseNorm already divides its alpha by size.
        torch_alpha = alpha * size if literal else alpha
        self.lrn = nn.LocalResponseNorm(size, alpha=torch_alpha, beta=beta, k=k)

    @property
    def coefficient(self) -> float:
        """The factor applied to each squared neighbour in the denominator."""
        return self.alpha if self.literal else self.alpha / self.size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise ``x`` (N, C, H, W) across channels."""
        return self.lrn(x)

    def extra_repr(self) -> str:
        """Show the per-term coefficient so a printed model says which LRN it runs."""
        return f"size={self.size}, coefficient={self.coefficient:g}, beta={self.beta}, k={self.k}"


class WithinMapNorm(nn.Module):
    """cuda-convnet's ``rnorm``: response normalization within each map, over a spatial window.

    b[c, y, x] = a[c, y, x] / (k + alpha / size**2 * sum a[c, y', x']**2) ** beta, the sum over
    the ``size x size`` window that starts ``size // 2`` pixels above and left of (y, x) (centred
    for odd sizes), pixels outside the map counting as 0. That is cuda-convnet's kernel
    (``kCNorm_fewfilter``: window from ``-sizeX/2``, clipped to the image, ``1 + addScale *
    sum``) with ``addScale = scale / size**2`` (its ``layer.py`` divides ``scale`` by
    ``size**2`` for ``rnorm``, by ``size`` for the cross-map ``cmrnorm``). So ``alpha`` is the
    config's ``scale`` and the divisor is ``size**2`` also at the borders: an average pool of
    the squares with ``count_include_pad=True``.
    """

    def __init__(self, size: int, alpha: float, beta: float, k: float = 1.0) -> None:
        super().__init__()
        if size < 1:
            raise ValueError(f"rnorm size must be >= 1, not {size}")
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    @property
    def coefficient(self) -> float:
        """The factor applied to each squared neighbour in the denominator."""
        return self.alpha / self.size**2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise ``x`` (N, C, H, W) within each map."""
        before = self.size // 2
        padded = F.pad(x * x, (before, self.size - 1 - before) * 2)
        mean_square = F.avg_pool2d(padded, self.size, stride=1)  # sum / size**2
        return x / (self.k + self.alpha * mean_square) ** self.beta

    def extra_repr(self) -> str:
        """Show the per-term coefficient, as :class:`PaperLRN` does."""
        return (
            f"size={self.size}x{self.size}, coefficient={self.coefficient:g}, "
            f"beta={self.beta}, k={self.k}"
        )


def local_response_norm(name: str, **params: float) -> nn.Module | None:
    """Return the norm layer for a ``norm`` option, or None for ``none``.

    ``params`` (``size``, ``alpha``, ``beta``, ``k``) left out take the option's source values:
    :data:`PAPER_LRN` for the cross-map norms, :data:`CUDA_CONVNET_RNORM` for ``rnorm``.
    """
    if name == "none":
        return None
    if name in CROSS_MAP_NORMS:
        p = {**PAPER_LRN, **params}
        literal = name == "lrn_literal"
        return PaperLRN(int(p["size"]), p["alpha"], p["beta"], p["k"], literal=literal)
    if name == "rnorm":
        p = {**CUDA_CONVNET_RNORM, **params}
        return WithinMapNorm(int(p["size"]), p["alpha"], p["beta"], p["k"])
    raise ValueError(f"unknown norm {name!r}; valid: {list(NORMS)}")


def init_weights(
    model: nn.Module,
    name: str,
    weight_std: float = 0.01,
    hidden_fc_std: float = 0.01,
    bias_one: float = 1.0,
    bias_one_layers: Iterable[str] = (),
    hidden_fc_layers: Iterable[str] = (),
    layer_std: Mapping[str, float] | None = None,
) -> None:
    """Initialise every conv, locally connected and linear layer of ``model`` by the named rule.

    ``paper``/``caffe``: weights ~ N(0, weight_std) (``hidden_fc_std`` in the hidden FC layers),
    biases ``bias_one`` in the layers named in ``bias_one_layers`` and 0 elsewhere. ``torch``
    leaves the framework's own initialisation untouched. ``cuda_convnet``: weights ~ N(0,
    ``layer_std[layer]``), the model's table of its source config's ``initW``, and biases 0
    (cuda-convnet's ``initB`` default); the table must name exactly the weighted layers.
    Layer names are the model's ``named_modules`` names (e.g. ``features.conv2``).
    """
    if name == "torch":
        return
    if name not in INITS:
        raise ValueError(f"unknown init {name!r}; valid: {list(INITS)}")
    weighted = {
        layer_name: module
        for layer_name, module in model.named_modules()
        if isinstance(module, (nn.Conv2d, nn.Linear, LocallyConnected2d))
    }
    if name in LAYER_INITS:
        if layer_std is None or set(layer_std) != set(weighted):
            raise ValueError(
                f"init {name!r} needs a std for each weighted layer {sorted(weighted)}; "
                f"the model's table names {sorted(layer_std or {})}"
            )
        stds: dict[str, float] = dict(layer_std)
        ones: set[str] = set()
    else:
        hidden = set(hidden_fc_layers)
        stds = {n: hidden_fc_std if n in hidden else weight_std for n in weighted}
        ones = set(bias_one_layers)
    for layer_name, module in weighted.items():
        nn.init.normal_(module.weight, mean=0.0, std=stds[layer_name])
        if module.bias is not None:
            nn.init.constant_(module.bias, bias_one if layer_name in ones else 0.0)
