import itertools

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from alexnet_lab.models.convnet_local import CUDA_CONVNET_LRN, WEIGHT_DECAY_LAYERS, ConvNetLocal
from alexnet_lab.models.layers import PaperLRN
from alexnet_lab.models.locally_connected import LocallyConnected2d
from alexnet_lab.models.switches import Switches

NORMS = {
    "lrn": {"name": "lrn", **CUDA_CONVNET_LRN},
    "lrn_literal": {"name": "lrn_literal", **CUDA_CONVNET_LRN},
    "none": {"name": "none"},
}
POOLS = {"overlap": (3, 2), "nonoverlap": (2, 2)}
PARAMS_11PCT = 2_112_970


def loop_reference(layer: LocallyConnected2d, x: torch.Tensor) -> torch.Tensor:
    """Each output position: slice its padded input patch, apply that position's own filters."""
    k, p, s, o = layer.kernel_size, layer.padding, layer.stride, layer.out_size
    padded = F.pad(x, (p, p, p, p))
    out = torch.empty(x.shape[0], layer.out_channels, o, o, dtype=x.dtype)
    for i in range(o):
        for j in range(o):
            patch = padded[:, :, i * s : i * s + k, j * s : j * s + k]  # (N, C, k, k)
            w = layer.weight[i * o + j].view(layer.out_channels, layer.in_channels, k, k)
            out[:, :, i, j] = torch.einsum("nchw,ochw->no", patch, w) + layer.bias[:, i, j]
    return out


@pytest.mark.parametrize(
    "in_channels,out_channels,in_size,kernel,padding,stride,expected_out",
    [
        (3, 5, 6, 3, 1, 1, 6),
        (4, 2, 7, 3, 0, 2, 3),
        (2, 3, 8, 5, 2, 3, 3),
        (3, 4, 5, 1, 0, 1, 5),
    ],
)
def test_locally_connected_equals_a_per_position_loop(
    in_channels, out_channels, in_size, kernel, padding, stride, expected_out
):
    torch.manual_seed(0)
    layer = LocallyConnected2d(
        in_channels, out_channels, in_size, kernel, padding=padding, stride=stride
    ).double()
    assert layer.out_size == expected_out
    assert layer.weight.shape == (
        expected_out**2,
        out_channels,
        in_channels * kernel * kernel,
    )
    assert layer.bias.shape == (out_channels, expected_out, expected_out)
    with torch.no_grad():
        layer.bias.normal_()  # make the bias term visible in the comparison
    x = torch.randn(2, in_channels, in_size, in_size, dtype=torch.float64)
    out = layer(x)
    assert out.shape == (2, out_channels, expected_out, expected_out)
    torch.testing.assert_close(out, loop_reference(layer, x))


def test_with_equal_filters_everywhere_it_is_a_convolution():
    torch.manual_seed(1)
    conv = nn.Conv2d(3, 4, 3, padding=1).double()
    layer = LocallyConnected2d(3, 4, 5, 3, padding=1).double()
    with torch.no_grad():
        layer.weight.copy_(conv.weight.reshape(4, -1).expand(25, 4, 27))
        layer.bias.copy_(conv.bias.view(4, 1, 1).expand(4, 5, 5))
    x = torch.randn(2, 3, 5, 5, dtype=torch.float64)
    torch.testing.assert_close(layer(x), conv(x))


def test_weights_are_unshared_one_position_changes_only_its_own_output():
    torch.manual_seed(2)
    layer = LocallyConnected2d(3, 4, 6, 3, padding=1).double()
    x = torch.randn(2, 3, 6, 6, dtype=torch.float64)
    before = layer(x).detach()
    i, j = 2, 4
    with torch.no_grad():
        layer.weight[i * layer.out_size + j] += 1.0
    after = layer(x).detach()
    changed = (after - before).abs().amax(dim=(0, 1)) > 1e-9
    expected = torch.zeros(6, 6, dtype=torch.bool)
    expected[i, j] = True
    assert torch.equal(changed, expected)


def test_gradient_reaches_only_the_positions_own_weights():
    layer = LocallyConnected2d(2, 3, 4, 3, padding=1)
    x = torch.randn(1, 2, 4, 4)
    layer(x)[0, :, 1, 2].sum().backward()
    per_position = layer.weight.grad.abs().sum(dim=(1, 2))
    assert torch.count_nonzero(per_position) == 1 and per_position[1 * 4 + 2] > 0


def test_locally_connected_default_init_and_input_check():
    torch.manual_seed(3)
    layer = LocallyConnected2d(64, 32, 6, 3, padding=1)
    bound = 1 / (64 * 9) ** 0.5
    assert layer.weight.abs().max() <= bound and layer.weight.abs().max() > 0.9 * bound
    assert layer.bias.abs().max() <= bound
    with pytest.raises(ValueError, match="expected 6x6"):
        layer(torch.zeros(1, 64, 7, 7))
    no_bias = LocallyConnected2d(2, 3, 4, 3, bias=False)
    assert no_bias.bias is None and no_bias(torch.zeros(1, 2, 4, 4)).shape == (1, 3, 2, 2)


@pytest.mark.parametrize("act,norm,pool", list(itertools.product(["relu", "tanh"], NORMS, POOLS)))
def test_every_switch_combination_gives_logits_and_the_cuda_convnet_map_sizes(act, norm, pool):
    k, s = POOLS[pool]
    model = ConvNetLocal(switches=Switches(act, NORMS[norm], pool_kernel=k, pool_stride=s))
    x = torch.randn(3, 3, 24, 24)
    assert model(x).shape == (3, 10)
    sizes = {}
    for name, layer in model.features.named_children():
        x = layer(x)
        sizes[name] = tuple(x.shape[1:])
    assert sizes["conv1"] == (64, 24, 24)
    assert sizes["pool1"] == (64, 12, 12)
    assert sizes["conv2"] == (64, 12, 12)
    assert sizes["pool2"] == (64, 6, 6)
    assert sizes["local3"] == (64, 6, 6)
    assert sizes["local4"] == (32, 6, 6)
    names = list(dict(model.features.named_children()))
    expected = ["conv1", "act1", "pool1", "norm1", "conv2", "act2", "norm2", "pool2"]
    expected += ["local3", "act3", "local4", "act4"]
    if norm == "none":
        expected = [n for n in expected if not n.startswith("norm")]
    assert names == expected
    norms = [m for m in model.features if isinstance(m, PaperLRN)]
    assert len(norms) == (0 if norm == "none" else 2)
    for m in norms:
        assert (m.size, m.alpha, m.beta, m.k) == (9, 0.001, 0.75, 1.0)
        assert m.literal == (norm == "lrn_literal")
    acts = [m for m in model.features if isinstance(m, (nn.ReLU, nn.Tanh))]
    assert len(acts) == 4 and all(type(a).__name__.lower() == act for a in acts)
    pools = [m for m in model.features if isinstance(m, nn.MaxPool2d)]
    assert [(p.kernel_size, p.stride, p.ceil_mode) for p in pools] == [(k, s, True)] * 2


def test_lrn_without_parameters_takes_cuda_convnet_values_and_explicit_ones_win():
    model = ConvNetLocal(switches=Switches(norm={"name": "lrn"}))
    assert model.features.norm1.coefficient == pytest.approx(0.001 / 9)
    assert (model.features.norm2.size, model.features.norm2.k) == (9, 1.0)
    paper = {"name": "lrn", "size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0}
    model = ConvNetLocal(switches=Switches(norm=paper))
    assert (model.features.norm1.size, model.features.norm1.k) == (5, 2.0)


def test_parameter_count_and_layer_widths():
    model = ConvNetLocal(in_channels=3, num_classes=10, local_width=64)
    assert sum(p.numel() for p in model.parameters()) == PARAMS_11PCT
    f = model.features
    assert sum(p.numel() for p in f.conv1.parameters()) == 4_864
    assert sum(p.numel() for p in f.conv2.parameters()) == 102_464
    assert f.local3.weight.shape == (36, 64, 576) and f.local3.bias.shape == (64, 6, 6)
    assert f.local4.weight.shape == (36, 32, 576) and f.local4.bias.shape == (32, 6, 6)
    assert model.classifier.fc.in_features == 32 * 6 * 6
    assert ConvNetLocal.bias_one_layers == () and ConvNetLocal.hidden_fc_layers == ()
    narrow = ConvNetLocal(local_width=32)
    assert narrow.features.local3.out_channels == 32
    assert narrow.features.local4.weight.shape == (36, 32, 32 * 9)
    assert sum(p.numel() for p in narrow.parameters()) == 1_116_490


def test_weight_decay_layers_name_real_modules():
    model = ConvNetLocal()
    leaves = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    assert set(WEIGHT_DECAY_LAYERS) <= leaves
    assert WEIGHT_DECAY_LAYERS == ("local3", "local4", "fc")


def test_single_channel_input_and_larger_image():
    model = ConvNetLocal(in_channels=1, image_size=32)
    assert model.features.local3.in_size == 8
    assert model(torch.randn(2, 1, 32, 32)).shape == (2, 10)


def test_rnorm_keeps_its_own_values_not_the_nets_cross_map_ones():
    from alexnet_lab.models.layers import WithinMapNorm

    rnorm = {"name": "rnorm", "size": 3, "alpha": 5e-5, "beta": 0.75, "k": 1.0}
    for lrn in (None, CUDA_CONVNET_LRN):  # with and without the model config's cmrnorm values
        model = ConvNetLocal(3, 10, 24, Switches(norm=rnorm), lrn=lrn)
        norms = [m for m in model.features if isinstance(m, (WithinMapNorm, PaperLRN))]
        assert len(norms) == 2 and all(isinstance(m, WithinMapNorm) for m in norms)
        assert all((m.size, m.alpha, m.beta, m.k) == (3, 5e-5, 0.75, 1.0) for m in norms)
