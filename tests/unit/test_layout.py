"""Channels-last and bf16-mixed: the records of fp32 contiguous, and the record says which ran."""

from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_dir

import alexnet_lab.engines.lightning.train as train_module
from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.engines.lightning.module import ClassifierModule
from alexnet_lab.engines.lightning.train import train
from alexnet_lab.engines.stacked.grouping import config_blocker
from alexnet_lab.engines.stacked.model import StackedModel
from alexnet_lab.errors import UserError
from alexnet_lab.models import get_model
from alexnet_lab.run.tensor_format import use_channels_last

TINY = [
    "data=synthetic",
    "data.train_size=96",
    "data.val_size=32",
    "data.batch_size=32",
    "trainer=cpu",
    "trainer.max_epochs=2",
    "trainer.enable_progress_bar=false",
    "trainer.enable_checkpointing=false",
    "callbacks=none",
    "logger=none",
    "norm=none",
]


def composed(*overrides: str):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("config", overrides=list(overrides))


def test_a_channels_last_run_records_the_contiguous_runs_numbers(tmp_path: Path):
    runs = {
        flag: train(composed(*TINY, f"trainer.channels_last={flag}"), tmp_path / flag)
        for flag in ("true", "false")
    }
    last, plain = runs["true"], runs["false"]
    assert last.machine["memory_format"] == "channels_last"
    assert plain.machine["memory_format"] == "contiguous"
    assert last.machine["precision"] == plain.machine["precision"] == "32-true"
    keys = ("train_error", "train_loss", "val_error", "val_loss")
    for a, b in zip(last.history, plain.history, strict=True):
        for key in keys:
            assert a[key] == pytest.approx(b[key], abs=1e-4), key
    assert last.final["test"]["top1_error"] == pytest.approx(plain.final["test"]["top1_error"])


def test_the_module_holds_its_weights_and_feeds_its_batches_channels_last():
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.Flatten(), torch.nn.LazyLinear(2)
    )
    model(torch.zeros(1, 3, 8, 8))
    optim = {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.0, "schedule": "constant"}
    module = ClassifierModule(model, 2, optim, channels_last=True)
    seen: list[bool] = []
    conv = module.model[0]
    conv.register_forward_pre_hook(
        lambda _, args: seen.append(args[0].is_contiguous(memory_format=torch.channels_last))
    )
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    module(torch.randn(5, 3, 8, 8))
    assert seen == [True]


def test_auto_takes_channels_last_on_the_cpu_only_for_the_nets_measured_faster():
    def cfg(net: str, norm: str = "none", setting: object = None) -> dict:
        return {
            "model": {"name": net},
            "norm": {"name": norm},
            "trainer": {"channels_last": setting},
        }

    assert get_model("convnet4").channels_last == {"none", "lrn"}  # as measured
    assert get_model("convnet_local").channels_last == {"none"}  # slower with its lrn
    assert not get_model("alexnet_cifar").channels_last
    assert use_channels_last(cfg("convnet4"), "cpu") is True
    assert use_channels_last(cfg("convnet4", "lrn"), "cpu") is True
    assert use_channels_last(cfg("convnet4"), "cuda") is False  # not measured on a GPU
    assert use_channels_last(cfg("convnet_local", "lrn"), "cpu") is False
    assert use_channels_last(cfg("convnet_local", "none"), "cpu") is True
    assert use_channels_last(cfg("alexnet_cifar"), "cpu") is False
    assert use_channels_last(cfg("alexnet_cifar", setting=True), "cpu") is True
    assert use_channels_last(cfg("convnet4", setting=False), "cpu") is False
    with pytest.raises(UserError, match="trainer.channels_last='yes' is not a choice"):
        use_channels_last(cfg("convnet4", setting="yes"), "cpu")


def test_a_bf16_mixed_run_trains_in_bf16_and_records_its_precision(tmp_path: Path, monkeypatch):
    dtypes: list[torch.dtype] = []
    build = train_module.build_classifier

    def watched(*args, **kwargs):
        module = build(*args, **kwargs)
        first = next(m for m in module.model.modules() if isinstance(m, torch.nn.Conv2d))
        first.register_forward_hook(lambda _m, _i, out: dtypes.append(out.dtype))
        return module

    monkeypatch.setattr(train_module, "build_classifier", watched)
    record = train(composed(*TINY, "trainer.precision=bf16-mixed"), tmp_path)
    assert record.status == "completed" and len(record.history) == 2
    assert record.machine["precision"] == "bf16-mixed"
    assert all(0 < row["train_loss"] < 10 for row in record.history)
    assert dtypes and set(dtypes) == {torch.bfloat16}


def test_the_stack_follows_bf16_mixed_with_fp32_weights_and_gradients():
    torch.manual_seed(0)
    nets = [
        torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.Flatten(), torch.nn.Linear(144, 3))
    ]
    stack = StackedModel(nets * 2, "cpu", bf16=True)
    grads, loss, logits = stack.train_step(torch.randn(2, 5, 3, 8, 8), torch.randint(0, 3, (2, 5)))
    assert logits.dtype == torch.bfloat16 and loss.dtype == torch.float32
    assert all(g.dtype == torch.float32 for g in grads.values())
    assert stack.log_probs(torch.randn(4, 3, 8, 8)).dtype == torch.float32
    trainer = {"_target_": "pytorch_lightning.Trainer", "devices": 1, "max_epochs": 2}
    synthetic = {"_target_": "alexnet_lab.data.SyntheticDataModule", "name": "synthetic"}
    bf16 = {**trainer, "precision": "bf16-mixed", "channels_last": None}
    assert config_blocker({"data": synthetic, "trainer": bf16}) is None
    half = {**trainer, "precision": "16-mixed"}
    assert "16-mixed" in (config_blocker({"data": synthetic, "trainer": half}) or "")


def test_a_mistyped_channels_last_is_refused_with_the_other_values_before_anything_loads():
    from alexnet_lab.run.validation import ConfigValueError, validate

    with pytest.raises(ConfigValueError, match="trainer.channels_last='auto' is not a choice"):
        validate(composed(*TINY, "trainer.channels_last=auto"))
    validate(composed(*TINY, "trainer.channels_last=false"))  # no error
