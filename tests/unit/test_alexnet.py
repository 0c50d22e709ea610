import pytest
import torch
from torch import nn

from alexnet_lab.errors import UserError
from alexnet_lab.models import build_model, check_switches
from alexnet_lab.models.alexnet import CIFAR, AlexNet
from alexnet_lab.models.layers import PaperLRN
from alexnet_lab.models.switches import Switches

LRN = {"name": "lrn", "size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0}


def cfg(model="alexnet", pooling=(3, 2), dropout=0.5, towers=2, init="paper", norm=LRN):
    inits = {"paper": {"name": "paper", "weight_std": 0.01, "hidden_fc_std": 0.01, "bias_one": 1.0},
             "caffe": {"name": "caffe", "weight_std": 0.01, "hidden_fc_std": 0.005,
                       "bias_one": 0.1}}  # fmt: skip
    return {
        "model": {"name": model, "fc_width": None},
        "activation": {"name": "relu"},
        "norm": norm,
        "pooling": {"kernel_size": pooling[0], "stride": pooling[1]},
        "dropout": {"p": dropout},
        "towers": {"count": towers},
        "init": inits[init],
    }


def sizes(model: nn.Module, image: int) -> list[int]:
    x = torch.zeros(1, 3, image, image)
    out = []
    for name, layer in model.features.named_children():
        x = layer(x)
        if name.startswith(("conv", "pool")):
            out.append(x.shape[-1])
    return out


@pytest.mark.parametrize("pooling", [(3, 2), (2, 2)])
def test_paper_feature_map_sizes_for_227_input_with_both_poolings(pooling):
    model = AlexNet(switches=Switches(pool_kernel=pooling[0], pool_stride=pooling[1]))
    # conv1, pool1, conv2, pool2, conv3, conv4, conv5, pool5
    assert sizes(model, 227) == [55, 27, 27, 13, 13, 13, 13, 6]
    assert model(torch.zeros(2, 3, 227, 227)).shape == (2, 1000)


@pytest.mark.parametrize("pooling", [(3, 2), (2, 2)])
def test_cifar_version_sizes(pooling):
    model = AlexNet(
        3, 10, switches=Switches(pool_kernel=pooling[0], pool_stride=pooling[1]), geometry=CIFAR
    )
    assert sizes(model, 32) == [32, 16, 16, 8, 8, 8, 8, 4]


def test_parameter_counts():
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(AlexNet(switches=Switches(towers=2))) == 60_965_224
    # documented: halved but conv5 and the FCs
    assert count(AlexNet(switches=Switches(towers=1))) == 59_798_312
    assert count(AlexNet(num_classes=10, geometry=CIFAR)) == 14_913_930
    assert count(AlexNet(3, 10, switches=Switches(towers=1), geometry=CIFAR)) == 13_760_842
    one = AlexNet(switches=Switches(towers=1))
    assert [m.out_channels for m in one.features if isinstance(m, nn.Conv2d)] == [
        48,
        128,
        192,
        192,
        256,
    ]


def test_two_towers_are_grouped_and_conv3_mixes_them():
    torch.manual_seed(0)
    model = AlexNet(num_classes=10, geometry=CIFAR).eval()
    f = model.features
    a = torch.randn(1, 96, 16, 16)
    b = a.clone()
    b[:, :48] += torch.randn(1, 48, 16, 16)  # change only tower 1's input maps
    conv2_a, conv2_b = f.conv2(a), f.conv2(b)
    assert not torch.allclose(conv2_a[:, :128], conv2_b[:, :128])  # tower 1 sees it
    torch.testing.assert_close(conv2_a[:, 128:], conv2_b[:, 128:])  # tower 2 does not
    c = torch.randn(1, 256, 8, 8)
    d = c.clone()
    d[:, :128] += 1.0
    assert not torch.allclose(f.conv3(c)[:, 192:], f.conv3(d)[:, 192:])  # conv3 sees both
    for name, groups in (("conv2", 2), ("conv3", 1), ("conv4", 2), ("conv5", 2)):
        assert getattr(f, name).groups == groups


@pytest.mark.parametrize("init,bias,fc_std", [("paper", 1.0, 0.01), ("caffe", 0.1, 0.005)])
def test_init_rule_biases_and_weight_std(init, bias, fc_std):
    torch.manual_seed(0)
    model = build_model(cfg("alexnet_cifar", init=init), 3, 10, 32)
    layers = dict(model.named_modules())
    for name in (
        "features.conv2",
        "features.conv4",
        "features.conv5",
        "classifier.fc6",
        "classifier.fc7",
    ):
        assert torch.all(layers[name].bias == bias), name
    for name in ("features.conv1", "features.conv3", "classifier.fc8"):
        assert torch.all(layers[name].bias == 0), name
    assert layers["features.conv3"].weight.std().item() == pytest.approx(0.01, rel=0.02)
    assert layers["classifier.fc6"].weight.std().item() == pytest.approx(fc_std, rel=0.02)


def test_dropout_is_active_only_in_training():
    torch.manual_seed(0)
    model = AlexNet(3, 10, switches=Switches(dropout=0.5), geometry=CIFAR)
    x = torch.randn(4, 3, 32, 32)
    model.train()
    assert not torch.allclose(model(x), model(x))
    model.eval()
    torch.testing.assert_close(model(x), model(x))
    drops = [m for m in model.classifier if isinstance(m, nn.Dropout)]
    assert [d.p for d in drops] == [0.5, 0.5]
    assert [n for n, _ in model.classifier.named_children()].index("drop6") == 3  # after act6


def test_lrn_follows_conv1_and_conv2_only():
    with_lrn = AlexNet(switches=Switches(norm=LRN)).features.named_children()
    assert [n for n, m in with_lrn if isinstance(m, PaperLRN)] == ["norm1", "norm2"]
    without = AlexNet(switches=Switches(norm={"name": "none"}))
    assert not any(isinstance(m, PaperLRN) for m in without.modules())


def test_a_switch_the_model_lacks_is_a_one_line_error():
    with pytest.raises(UserError, match="alexnet, alexnet_cifar") as info:
        check_switches("convnet4", {"towers": "two", "seed": "0"})
    assert "\n" not in str(info.value)
    check_switches("alexnet_cifar", {"towers": "one", "dropout": "off"})  # fine


def test_alexnet_on_32px_data_names_the_fix():
    with pytest.raises(UserError, match="model=alexnet_cifar"):
        build_model(cfg("alexnet"), 3, 10, 32)
