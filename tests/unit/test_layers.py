import pytest
import torch

from alexnet_lab.models.layers import PaperLRN, activation, local_response_norm, pooling


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
