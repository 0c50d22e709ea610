import itertools

import pytest
import torch
from torch import nn

from alexnet_lab.models import build_model
from alexnet_lab.models.convnet4 import ConvNet4
from alexnet_lab.models.layers import PaperLRN, WithinMapNorm
from alexnet_lab.models.switches import Switches

NORMS = {
    "lrn": {"name": "lrn", "size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0},
    "lrn_literal": {"name": "lrn_literal", "size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0},
    "rnorm": {"name": "rnorm", "size": 3, "alpha": 5e-5, "beta": 0.75, "k": 1.0},
    "none": {"name": "none"},
}
POOLS = {"overlap": (3, 2), "nonoverlap": (2, 2)}
INITS = {
    "paper": {"name": "paper", "weight_std": 0.01, "hidden_fc_std": 0.01, "bias_one": 1.0},
    "caffe": {"name": "caffe", "weight_std": 0.01, "hidden_fc_std": 0.005, "bias_one": 0.1},
    "torch": {"name": "torch"},
}


def cfg(activation="relu", norm="lrn", pooling="overlap", init="paper"):
    k, s = POOLS[pooling]
    return {
        "model": {"name": "convnet4"},
        "activation": {"name": activation},
        "norm": NORMS[norm],
        "pooling": {"name": pooling, "kernel_size": k, "stride": s},
        "init": INITS[init],
    }


@pytest.mark.parametrize(
    "activation,norm,pooling,init,channels",
    list(itertools.product(["relu", "tanh"], NORMS, POOLS, INITS, [1, 3])),
)
def test_every_switch_combination_gives_logits_and_the_cuda_convnet_map_sizes(
    activation, norm, pooling, init, channels
):
    model = build_model(cfg(activation, norm, pooling, init), channels, 10, 32)
    x = torch.randn(4, channels, 32, 32)
    assert model(x).shape == (4, 10)
    sizes = {}
    for name, layer in model.features.named_children():
        x = layer(x)
        sizes[name] = tuple(x.shape[1:])
    assert sizes["pool1"] == (32, 16, 16)
    assert sizes["pool2"] == (32, 8, 8)
    assert sizes["pool3"] == (64, 4, 4)
    kind = WithinMapNorm if norm == "rnorm" else PaperLRN
    has_norm = [n for n, m in model.features.named_children() if isinstance(m, kind)]
    assert has_norm == ([] if norm == "none" else ["norm1", "norm2"])
    acts = [m for m in model.features if isinstance(m, (nn.ReLU, nn.Tanh))]
    assert len(acts) == 3 and all(type(a).__name__.lower() == activation for a in acts)


def test_parameter_count_and_layer_widths():
    model = ConvNet4(in_channels=3, num_classes=10)
    assert sum(p.numel() for p in model.parameters()) == 89_578
    convs = [m for m in model.features if isinstance(m, nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size, c.padding) for c in convs] == [
        (32, (5, 5), (2, 2)),
        (32, (5, 5), (2, 2)),
        (64, (5, 5), (2, 2)),
    ]
    assert isinstance(model.features.pool1, nn.MaxPool2d)
    assert isinstance(model.features.pool2, nn.AvgPool2d)
    assert isinstance(model.features.pool3, nn.AvgPool2d)


def test_paper_init_draws_weights_from_n_0_001_and_zero_biases():
    torch.manual_seed(0)
    model = build_model(cfg(init="paper"), 3, 10, 32)
    for layer in [model.features.conv2, model.features.conv3, model.classifier.fc]:
        assert layer.weight.mean().abs() < 1e-3
        assert layer.weight.std().item() == pytest.approx(0.01, rel=0.05)
        assert torch.all(layer.bias == 0)


def test_torch_init_leaves_the_framework_default_untouched():
    torch.manual_seed(123)
    model = build_model(cfg(init="torch"), 3, 10, 32)
    torch.manual_seed(123)
    fresh = ConvNet4(3, 10, switches=Switches(norm=NORMS["lrn"]))
    for (name, a), (_, b) in zip(
        model.state_dict().items(), fresh.state_dict().items(), strict=False
    ):
        torch.testing.assert_close(a, b, msg=name)
    # and it is not the paper's N(0, 0.01): Kaiming-uniform of conv1 has a far larger spread
    assert model.features.conv1.weight.std() > 0.05


def test_rnorm_sits_after_pool1_and_pool2_with_layers_18pct_values():
    model = build_model(cfg(norm="rnorm"), 3, 10, 32)
    names = [n for n, _ in model.features.named_children()]
    assert names[names.index("pool1") : names.index("pool1") + 3] == ["pool1", "norm1", "conv2"]
    assert names[names.index("pool2") : names.index("pool2") + 3] == ["pool2", "norm2", "conv3"]
    for layer in (model.features.norm1, model.features.norm2):
        assert isinstance(layer, WithinMapNorm)
        assert (layer.size, layer.alpha, layer.beta, layer.k) == (3, 5e-5, 0.75, 1.0)
