"""The stacked launcher's pure parts: grouping, blockers, device data order, the SGD step."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from alexnet_lab.console import say_end
from alexnet_lab.data.tensor_sets import BatchTensorDataset, already_batched
from alexnet_lab.data.transforms import ten_crops
from alexnet_lab.engines.stacked.device_data import DeviceData
from alexnet_lab.engines.stacked.grouping import config_blocker, group_jobs, group_key, split
from alexnet_lab.engines.stacked.loop import sgd_step
from alexnet_lab.engines.stacked.model import StackedModel, stack_blocker
from alexnet_lab.engines.stacked.stack import member_bytes
from alexnet_lab.errors import CommandEnd


def test_a_mixed_sweep_groups_by_everything_but_seed_and_the_sgd_settings():
    jobs = [
        ["model=convnet4", f"activation={a}", f"optim.lr={lr}", f"seed={s}"]
        for a, lr, s in itertools.product(("relu", "tanh"), (0.01, 0.1), (0, 1, 2))
    ]
    groups = group_jobs(jobs)
    assert len(groups) == 2 and [len(g) for g in groups] == [6, 6]
    for group in groups:
        assert len({j for i in group for j in jobs[i] if j.startswith("activation=")}) == 1
    assert groups[0] == [0, 1, 2, 3, 4, 5]  # job order kept within a group


def test_other_differences_make_other_groups_and_hydra_keys_do_not():
    jobs = [
        ["optim.momentum=0.9", "optim.weight_decay=0", "seed=0"],
        ["optim.momentum=0.5", "+optim.weight_decay=1e-4", "seed=1"],
        ["data.batch_size=64", "seed=0"],
        ["model=alexnet_cifar", "seed=0"],
        ["hydra.job.chdir=false", "seed=3"],
    ]
    assert group_jobs(jobs) == [[0, 1, 4], [2], [3]]
    assert group_key(["seed=1", "b=2", "a=1"]) == ("a=1", "b=2")
    assert split([5, 6, 7, 8, 9], 2) == [[5, 6], [7, 8], [9]]


def test_blockers_name_what_cannot_stack():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    assert "running statistics" in (stack_blocker(model) or "")
    assert stack_blocker(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())) is None
    trainer = {"_target_": "pytorch_lightning.Trainer", "devices": 1, "max_epochs": 2}
    synthetic = {"_target_": "alexnet_lab.data.SyntheticDataModule", "name": "synthetic"}
    folder = {"_target_": "alexnet_lab.data.ImageFolderDataModule", "name": "imagefolder"}
    assert config_blocker({"data": synthetic, "trainer": trainer}) is None
    assert "not held in memory" in config_blocker({"data": folder, "trainer": trainer})
    ddp = {**trainer, "strategy": "ddp", "devices": 2}
    assert "DDP" in config_blocker({"data": synthetic, "trainer": ddp})
    clipped = {**trainer, "gradient_clip_val": 1.0}
    assert "gradient_clip_val" in config_blocker({"data": synthetic, "trainer": clipped})
    exact = {**trainer, "deterministic": True, "benchmark": False}
    assert "deterministic" in config_blocker({"data": synthetic, "trainer": exact})
    assert config_blocker({"data": synthetic, "trainer": {**exact, "deterministic": None}}) is None


def _data(n: int = 37, batch: int = 8) -> DeviceData:
    g = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (n, 3, 8, 8), dtype=torch.uint8, generator=g)
    labels = torch.randint(0, 10, (n,), generator=g)
    return DeviceData(
        images, labels, images[:5], labels[:5], torch.zeros(3), torch.ones(3), "raw", batch
    )


def test_device_data_replays_the_sequential_dataloaders_order_for_two_epochs():
    data = _data()
    train = DataLoader(
        BatchTensorDataset(data.train_images, torch.arange(37)),
        batch_size=8,
        shuffle=True,
        collate_fn=already_batched,
    )
    val = DataLoader(
        BatchTensorDataset(data.val_images, data.val_labels),
        batch_size=8,
        collate_fn=already_batched,
    )
    for seed in (0, 7):
        torch.manual_seed(seed)
        torch.randn(100)  # the model's init draws
        generator = torch.Generator()
        generator.set_state(torch.get_rng_state())
        expected, replayed = [], []
        for _ in range(2):
            expected.append(torch.cat([idx for _, idx in train]))
            torch.rand(3)  # draws between batches (augmentation) come from the same stream
            list(val)
            order = data.epoch_order(generator)
            replayed.append(torch.cat(list(data.batch_indices(order[None])), dim=1)[0])
            torch.rand(3, generator=generator)
            data.validation_draw(generator)
        for a, b in zip(expected, replayed, strict=True):
            assert torch.equal(a, b)
        assert torch.equal(generator.get_state(), torch.get_rng_state())


def test_stacked_crops_and_flips_are_the_sequential_ones_per_member():
    from alexnet_lab.data.transforms import random_crop_flip

    data = _data()
    data.crop, data.flip = 6, True
    index = torch.stack([torch.arange(8), torch.arange(8, 16)])
    generators = [torch.Generator().manual_seed(s) for s in (1, 2)]
    images, labels = data.train_batch(index, generators)
    assert images.shape == (2, 8, 3, 6, 6) and torch.equal(labels, data.train_labels[index])
    for m, seed in enumerate((1, 2)):
        torch.manual_seed(seed)
        expected = random_crop_flip(data.normalize(data.train_images[index[m]]), 6, True)
        assert torch.equal(images[m], expected)


@pytest.mark.parametrize("weight_decay", [0.0, 5e-4])
def test_the_stacked_sgd_step_is_torch_sgd_per_member(weight_decay):
    torch.manual_seed(0)
    nets = [nn.Linear(4, 3) for _ in range(2)]
    settings = [(0.1, 0.9), (0.03, 0.5)]
    optimizers = [
        torch.optim.SGD(n.parameters(), lr=lr, momentum=mom, weight_decay=weight_decay)
        for n, (lr, mom) in zip(nets, settings, strict=True)
    ]
    stack = StackedModel(nets, "cpu")
    momentum = {k: torch.zeros_like(v) for k, v in stack.params.items()}
    hyper = {
        "momentum": torch.tensor([m for _, m in settings]),
        "decay": {k: torch.full((2,), weight_decay) for k in stack.params} if weight_decay else {},
    }
    lr = torch.tensor([lr for lr, _ in settings])
    x, y = torch.randn(2, 5, 4), torch.randint(0, 3, (2, 5))
    for _ in range(3):
        grads, _, _ = stack.train_step(x, y)
        sgd_step(stack.params, grads, momentum, lr, hyper)
        for m, (net, opt) in enumerate(zip(nets, optimizers, strict=True)):
            opt.zero_grad()
            nn.functional.cross_entropy(net(x[m]), y[m]).backward()
            opt.step()
    for m, net in enumerate(nets):
        for name, p in net.named_parameters():
            torch.testing.assert_close(stack.params[name][m], p.detach())


def test_the_stacked_launcher_is_discovered_from_outside_the_checkout(tmp_path):
    """Under `pip install -e .` Hydra's pkgutil walk misses the plugin unless the CLI exposes it."""
    import subprocess
    import sys

    code = (
        "from alexnet_lab.sweep.plugins import expose_checkout_plugins; expose_checkout_plugins(); "
        "from hydra.core.plugins import Plugins; from hydra.plugins.launcher import Launcher; "
        "print(sorted(p.__name__ for p in Plugins.instance().discover(Launcher)))"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "StackedLauncher" in out.stdout


def test_the_default_launcher_stacks_only_on_a_gpu_and_checks_its_option(capsys):
    """hydra/launcher=auto: the stacked launcher with stack=cuda (basic on a CPU machine)."""
    from hydra import compose, initialize_config_dir

    from alexnet_lab.cli import CONFIG_DIR
    from hydra_plugins.alexnet_lab_stacked_launcher.stacked_launcher import StackedLauncher

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", return_hydra_config=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("stacked_launcher.StackedLauncher")
    assert launcher.stack == "cuda" and launcher.max_members is None
    assert StackedLauncher(stack="always").stack == "always"
    with pytest.raises(CommandEnd) as stopped:
        StackedLauncher(stack="gpu")
    say_end(stopped.value)  # what the command's entry point prints
    assert stopped.value.code == 2
    assert "Valid values: always" in capsys.readouterr().err.replace("\n", " ")


def test_stacked_members_draw_their_own_dropout_masks():
    """Identical members on identical input: dropout makes their training logits differ."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(16, 16), nn.Dropout(0.5), nn.Linear(16, 3))
    stack = StackedModel([net, net], "cpu")
    x = torch.randn(8, 16).expand(2, 8, 16)
    y = torch.zeros(2, 8, dtype=torch.long)
    _, loss, logits = stack.train_step(x, y)
    assert logits.shape == (2, 8, 3)
    assert not torch.allclose(logits[0], logits[1])  # each member its own mask
    assert loss[0] != loss[1]
    # without dropout (eval) the identical members agree exactly
    evaluated = stack.log_probs(x[0])
    torch.testing.assert_close(evaluated[0], evaluated[1])


def test_stacked_ten_crop_tests_average_each_members_ten_views():
    torch.manual_seed(0)
    nets = [
        nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 22 * 22, 5))
        for _ in range(2)
    ]
    images = torch.randn(6, 3, 32, 32)
    stacked = StackedModel(nets, "cpu").log_probs(images, eval_crop=24, ten_crop=True)
    assert stacked.shape == (2, 6, 5)
    for i, net in enumerate(nets):
        views = ten_crops(images, 24)  # 10, N, C, 24, 24
        expected = torch.stack([net(v).softmax(-1) for v in views]).mean(0).log()
        torch.testing.assert_close(stacked[i], expected)


class _Data:
    """What ``member_bytes`` reads of a datamodule."""

    def __init__(self, batch_size: int) -> None:
        self.input_shape, self.num_classes, self.batch_size = (3, 32, 32), 10, batch_size


@pytest.mark.parametrize(("model", "least"), [("convnet4", 0.2e6), ("alexnet_cifar", 1e6)])
def test_a_members_memory_need_counts_the_activations_its_backward_keeps(model, least):
    from hydra import compose, initialize_config_dir

    from alexnet_lab.cli import CONFIG_DIR

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", [f"model={model}", "norm=none"])
    small, large = member_bytes(cfg, _Data(64)), member_bytes(cfg, _Data(128))
    per_image = (large - small) / 64 / 1.5  # the activations autograd keeps, per image
    assert per_image >= least
    weights = small - 1.5 * per_image * 64
    assert weights > 0
