import pytest
import torch

from alexnet_lab.models.layers import (
    PaperLRN,
    WithinMapNorm,
    activation,
    local_response_norm,
    pooling,
)


def lrn_by_hand(a: torch.Tensor, n: int, coeff: float, beta: float, k: float) -> torch.Tensor:
    """The section 3.3 formula, one channel at a time."""
    channels = a.shape[1]
    out = torch.empty_like(a)
    for i in range(channels):
        lo, hi = max(0, i - n // 2), min(channels - 1, i + n // 2)
        denom = (k + coeff * (a[:, lo : hi + 1] ** 2).sum(dim=1)) ** beta
        out[:, i] = a[:, i] / denom
    return out


@pytest.mark.parametrize("name,coeff", [("lrn", 1e-4 / 5), ("lrn_literal", 1e-4)])
def test_lrn_matches_the_formula_it_claims(name, coeff):
    torch.manual_seed(0)
    # large activations so that the sum term matters (ReLU outputs of raw 0-255 input are big)
    a = torch.relu(torch.randn(2, 12, 5, 5, dtype=torch.float64) * 60)
    layer = local_response_norm(name, size=5, alpha=1e-4, beta=0.75, k=2.0)
    assert isinstance(layer, PaperLRN)
    assert layer.coefficient == pytest.approx(coeff)
    expected = lrn_by_hand(a, 5, coeff, 0.75, 2.0)
    torch.testing.assert_close(layer(a), expected, rtol=1e-10, atol=1e-10)


def test_lrn_and_literal_differ_by_the_factor_n():
    a = torch.full((1, 5, 1, 1), 100.0, dtype=torch.float64)
    lrn, literal = PaperLRN(5, 1e-4, 0.75, 2.0), PaperLRN(5, 1e-4, 0.75, 2.0, literal=True)
    # centre channel sums 5 squares of 100: 5e4 * coeff
    assert lrn(a)[0, 2, 0, 0].item() == pytest.approx(100 / (2 + 5e4 * 2e-5) ** 0.75)
    assert literal(a)[0, 2, 0, 0].item() == pytest.approx(100 / (2 + 5e4 * 1e-4) ** 0.75)


def rnorm_by_hand(a: torch.Tensor, size: int, scale: float, power: float) -> torch.Tensor:
    """cuda-convnet's rnorm, pixel by pixel: its kernel sums the squares of the window that
    starts at -size/2 (C's integer division) clipped to the map, and its layer.py divides the
    configured scale by size**2 whatever the clipping; the constant is 1."""
    out = torch.empty_like(a)
    height, width = a.shape[-2:]
    start = -(size // 2)
    for y in range(height):
        for x in range(width):
            y0, y1 = max(0, y + start), min(height, y + start + size)
            x0, x1 = max(0, x + start), min(width, x + start + size)
            total = (a[:, :, y0:y1, x0:x1] ** 2).sum(dim=(-2, -1))
            out[:, :, y, x] = a[:, :, y, x] * (1 + scale / size**2 * total) ** -power
    return out


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_rnorm_matches_cuda_convnets_kernel_computed_by_hand(size):
    torch.manual_seed(0)
    a = torch.randn(2, 4, 7, 6, dtype=torch.float64) * 150  # pooled raw-scale responses
    layer = local_response_norm("rnorm", size=size, alpha=5e-5, beta=0.75, k=1.0)
    assert isinstance(layer, WithinMapNorm)
    out = layer(a)
    assert out.shape == a.shape
    torch.testing.assert_close(out, rnorm_by_hand(a, size, 5e-5, 0.75), rtol=1e-10, atol=1e-10)


def test_rnorm_layers_18pct_numbers_and_its_border_divisor():
    # a constant 3x3 map of 100: the centre's window holds 9 squares, a corner's only 4, but
    # both are divided by size**2 = 9 (as count_include_pad=True), not by the squares counted
    layer = local_response_norm("rnorm")  # layers-18pct's size 3, scale 5e-5, pow 0.75
    assert (layer.size, layer.alpha, layer.beta, layer.k) == (3, 5e-5, 0.75, 1.0)
    assert layer.coefficient == pytest.approx(5e-5 / 9)
    out = layer(torch.full((1, 2, 3, 3), 100.0, dtype=torch.float64))
    assert out[0, 0, 1, 1].item() == pytest.approx(100 / (1 + 5e-5 / 9 * 9e4) ** 0.75)  # 73.8
    assert out[0, 0, 0, 0].item() == pytest.approx(100 / (1 + 5e-5 / 9 * 4e4) ** 0.75)  # 86.0
    assert out[0, 0, 0, 1].item() == pytest.approx(100 / (1 + 5e-5 / 9 * 6e4) ** 0.75)
    # within a map: another map's values do not enter
    two = torch.zeros(1, 2, 3, 3, dtype=torch.float64)
    two[0, 0] = 100.0
    two[0, 1] = 1e4
    torch.testing.assert_close(layer(two)[0, 0], out[0, 0])


def test_norm_none_is_no_layer_and_unknown_names_fail():
    assert local_response_norm("none") is None
    with pytest.raises(ValueError, match="lrn_literal"):
        local_response_norm("batchnorm")
    with pytest.raises(ValueError, match="relu"):
        activation("swish")


@pytest.mark.parametrize("name,expected", [("relu", [0.0, 2.0]), ("tanh", [-0.7616, 0.9640])])
def test_activation_values(name, expected):
    out = activation(name)(torch.tensor([-1.0, 2.0]))
    torch.testing.assert_close(out, torch.tensor(expected), atol=1e-4, rtol=0)


@pytest.mark.parametrize("size,out", [(32, 16), (16, 8), (8, 4)])
def test_overlapping_and_plain_pooling_keep_equal_sizes(size, out):
    x = torch.randn(1, 1, size, size)
    for mode in ("max", "avg"):
        assert pooling(3, 2, mode, ceil_mode=True)(x).shape[-1] == out
        assert pooling(2, 2, mode, ceil_mode=True)(x).shape[-1] == out
