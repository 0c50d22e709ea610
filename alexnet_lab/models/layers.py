"""The paper's switches as layer factories: activation, pooling, local response norm, init."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from alexnet_lab.models.locally_connected import LocallyConnected2d

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
}
NORMS = ("lrn", "lrn_literal", "none")
INITS = ("paper", "caffe", "torch")


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


def local_response_norm(
    name: str, size: int = 5, alpha: float = 1e-4, beta: float = 0.75, k: float = 2.0
) -> nn.Module | None:
    """Return the norm layer for a ``norm`` option, or None for ``none``."""
    if name == "none":
        return None
    if name in ("lrn", "lrn_literal"):
        return PaperLRN(size, alpha, beta, k, literal=name == "lrn_literal")
    raise ValueError(f"unknown norm {name!r}; valid: {list(NORMS)}")


def init_weights(
    model: nn.Module,
    name: str,
    weight_std: float = 0.01,
    hidden_fc_std: float = 0.01,
    bias_one: float = 1.0,
    bias_one_layers: Iterable[str] = (),
    hidden_fc_layers: Iterable[str] = (),
) -> None:
    """Initialise every conv, locally connected and linear layer of ``model`` by the named rule.

    ``paper``/``caffe``: weights ~ N(0, weight_std) (``hidden_fc_std`` in the hidden FC layers),
    biases ``bias_one`` in the layers named in ``bias_one_layers`` and 0 elsewhere. ``torch``
    leaves the framework's own initialisation untouched. Layer names are the model's
    ``named_modules`` names (e.g. ``features.conv2``).
    """
    if name == "torch":
        return
    if name not in INITS:
        raise ValueError(f"unknown init {name!r}; valid: {list(INITS)}")
    ones, hidden = set(bias_one_layers), set(hidden_fc_layers)
    for layer_name, module in model.named_modules():
        if not isinstance(module, (nn.Conv2d, nn.Linear, LocallyConnected2d)):
            continue
        weight = module.weight
        std = hidden_fc_std if layer_name in hidden else weight_std
        nn.init.normal_(weight, mean=0.0, std=std)
        if module.bias is not None:
            nn.init.constant_(module.bias, bias_one if layer_name in ones else 0.0)
