"""The CPU protocols (experiment=cpu/<name>) and the convnet4-family nets they use."""

import pytest
import torch
from hydra import compose, initialize_config_dir
from torch import nn

from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.models import build_model
from alexnet_lab.results.verdict.claims import CLAIMS

PROTOCOLS = sorted(p.stem for p in (CONFIG_DIR / "experiment" / "cpu").glob("*.yaml"))

#: later protocols, each added beside an earlier one that could not decide its claim, and the
#: init each changes to (docs/protocols.md)
SECOND_PROTOCOL_INITS = {"dropout_paper_init": "paper", "dropout_constant_lr": "paper"}


def composed(*overrides):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("config", overrides=list(overrides), return_hydra_config=True)


def test_every_claim_has_a_cpu_protocol():
    claims = {composed(f"experiment=cpu/{name}").claim for name in PROTOCOLS}
    assert claims == {f"C{i}" for i in range(1, 8)}


@pytest.mark.parametrize("name", PROTOCOLS)
def test_each_protocol_is_real_cifar10_on_a_convnet4_net_with_three_seeds(name):
    cfg = composed(f"experiment=cpu/{name}")
    assert cfg.claim in CLAIMS and cfg.protocol == f"cpu/{name}"
    assert cfg.data.name == "cifar10" and cfg.data.scale == "raw"
    assert cfg.model.name.startswith("convnet4")
    assert cfg.init.name == SECOND_PROTOCOL_INITS.get(name, "cuda_convnet")
    params = cfg.hydra.sweeper.params
    assert str(cfg.hydra.mode) == "RunMode.MULTIRUN"
    assert params["seed"] == "0,1,2"
    # C1 sweeps its lrs too; C7's arms are the test views of C5's crop-trained runs
    arms = {"relu_vs_tanh": "optim.lr", "tta": "augmentation"}.get(name, cfg.report.arm_group)
    assert "," in params[arms]
    side = cfg.augmentation.crop or 32
    assert build_model(cfg, 3, 10, side)(torch.zeros(2, 3, side, side)).shape == (2, 10)


def test_the_test_error_protocols_share_one_recipe():
    recipes = {
        (c.optim.name, c.optim.lr, c.optim.weight_decay, c.optim.plateau_patience, c.optim.momentum)
        for c in (composed(f"experiment=cpu/{n}") for n in ("lrn", "pooling", "towers", "dropout"))
    }
    assert recipes == {("paper", 0.001, 5e-4, 3, 0.9)}


def test_c5_tests_every_run_on_both_views_for_c7():
    c5, c7 = composed("experiment=cpu/augmentation"), composed("experiment=cpu/tta")
    assert list(c5.tta.test_views) == ["center", "ten_crop"]
    assert c5.augmentation.crop == 24  # the none arm sees the centre 24x24 crop: one net
    assert c7.hydra.sweeper.params.augmentation == "crop_flip,paper"
    for key in ("data", "optim", "trainer", "model", "init"):  # C7's runs are C5's crop arms
        assert c5[key] == c7[key]


def test_c1_runs_long_enough_to_see_six_times_relus_epochs():
    cfg = composed("experiment=cpu/relu_vs_tanh")
    assert cfg.trainer.max_epochs >= 44 and cfg.stop_at_target
    assert cfg.optim.weight_decay == 0 and cfg.norm.name == "none"
    assert cfg.optim.schedule == "constant"


def _counts(cfg_overrides):
    model = build_model(composed(*cfg_overrides), 3, 10, 32)
    return model, sum(p.numel() for p in model.parameters())


def test_convnet4_towers_two_is_two_halves_joined_at_conv3():
    two, n_two = _counts(["model=convnet4_towers", "towers=two", "init=cuda_convnet"])
    one, n_one = _counts(["model=convnet4_towers", "towers=one", "init=cuda_convnet"])
    conv = {n: m for n, m in two.features.named_children() if isinstance(m, nn.Conv2d)}
    assert (conv["conv1"].out_channels, conv["conv2"].groups, conv["conv3"].groups) == (32, 2, 1)
    conv1 = {n: m for n, m in one.features.named_children() if isinstance(m, nn.Conv2d)}
    assert (conv1["conv1"].out_channels, conv1["conv2"].out_channels) == (16, 16)
    assert conv1["conv3"].out_channels == conv["conv3"].out_channels == 64  # the last not halved
    assert (n_two, n_one) == (76778, 43546)


def test_convnet4_fc_places_dropout_after_fc6_and_fc7():
    on, n = _counts(["model=convnet4_fc", "dropout=on", "init=cuda_convnet"])
    names = [name for name, _ in on.classifier.named_children()]
    assert names == ["flatten", "fc6", "act6", "drop6", "fc7", "act7", "drop7", "fc8"]
    assert on.classifier.drop6.p == on.classifier.drop7.p == 0.5 and n == 410090
    off, _ = _counts(["model=convnet4_fc", "dropout=off", "init=cuda_convnet"])
    assert off.classifier.drop6.p == 0.0
    assert abs(float(on.features.conv1.weight.detach().std()) - 1e-4) < 3e-5  # layers-18pct's conv1
    assert abs(float(on.classifier.fc6.weight.detach().std()) - 0.01) < 1e-3


def test_c4s_second_protocol_changes_only_the_init():
    first, second = (
        composed("experiment=cpu/dropout"),
        composed("experiment=cpu/dropout_paper_init"),
    )
    assert (first.init.name, second.init.name) == ("cuda_convnet", "paper")
    assert second.init.bias_one == 1.0 and second.protocol == "cpu/dropout_paper_init"
    for key in ("data", "optim", "trainer", "model", "dropout", "augmentation", "tta", "norm"):
        assert first[key] == second[key], key
    assert first.hydra.sweeper.params == second.hydra.sweeper.params
    assert first.claim == second.claim == "C4"


def test_c4s_third_protocol_changes_only_the_schedule():
    second, third = (
        composed("experiment=cpu/dropout_paper_init"),
        composed("experiment=cpu/dropout_constant_lr"),
    )
    assert (second.optim.schedule, third.optim.schedule) == ("plateau", "constant")
    assert third.optim.lr == second.optim.lr == 0.001 and third.optim.weight_decay == 5e-4
    assert third.protocol == "cpu/dropout_constant_lr" and third.init == second.init
    for key in ("data", "trainer", "model", "dropout", "augmentation", "tta", "norm", "init"):
        assert second[key] == third[key], key
    assert {k: v for k, v in second.optim.items() if k != "schedule"} == {
        k: v for k, v in third.optim.items() if k != "schedule"
    }
    assert second.hydra.sweeper.params == third.hydra.sweeper.params
    assert third.claim == "C4"
