"""``nox -s results``: every command of bench/results.py names an experiment and composes."""

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from alexnet_lab.cli import CONFIG_DIR
from bench.results import MISSING, commands, main

TRAINING = [c for c in commands("/tmp/cifar10") if c[0] == "alexnet-lab"]


def test_the_list_is_c1_per_arm_under_both_inits_then_the_results_page():
    *_, page = commands("/data/c10")
    assert page == ["alexnet-lab-report", "--all", "runs", "--out", "docs"]
    folders = [o.split("=", 1)[1] for c in TRAINING for o in c if o.startswith("hydra.sweep.dir")]
    assert folders == ["runs/c1_cifar10_cuda_convnet"] * 2 + ["runs/c1_cifar10_paper"] * 2
    arms = [(o for o in c if o.startswith("activation=")).__next__() for c in TRAINING]
    assert arms == ["activation=relu", "activation=tanh"] * 2
    lrs = {a: {o for c in TRAINING if a in c for o in c if o.startswith("optim.lr=")} for a in arms}
    assert lrs["activation=relu"] == {"optim.lr=0.003,0.01,0.001"}  # one grid per arm
    assert all("data.root=/tmp/cifar10" in c and "resume=true" in c for c in TRAINING)
    assert all(c[-1] == f"hydra.sweep.subdir={a[11:]}-lr${{optim.lr}}-seed${{seed}}"
               for c, a in zip(TRAINING, arms, strict=True))  # fmt: skip


@pytest.mark.parametrize("command", TRAINING, ids=lambda c: c[1].split("=")[1])
def test_each_command_composes_and_sweeps_only_keys_the_config_has(command):
    overrides = command[1:]
    experiment = overrides[0].split("=", 1)[1]
    assert (CONFIG_DIR / "experiment" / f"{experiment}.yaml").exists()
    single = [o.split(",")[0] for o in overrides]  # the first value of each swept key
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=single, return_hydra_config=True)
    assert cfg.hydra.mode.name == "MULTIRUN"  # the experiment sweeps its arms itself
    swept = [o.split("=", 1)[0] for o in overrides if "," in o]
    swept += list(cfg.hydra.sweeper.params or {})
    for key in swept:
        assert OmegaConf.select(cfg, key, default="absent") != "absent", key
    assert cfg.data.root == "/tmp/cifar10" and cfg.data.train_size is None  # all 50,000
    assert cfg.hydra.sweep.subdir.startswith(cfg.activation.name)


def test_without_cifar10_it_refuses_clearly(monkeypatch, capsys):
    monkeypatch.delenv("CIFAR10", raising=False)
    assert main() == 2
    assert MISSING in capsys.readouterr().err
