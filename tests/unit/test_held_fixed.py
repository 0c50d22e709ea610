"""A run's settings are the switches its model has: convnet4 has no dropout or towers, so a
report never lists them as held fixed; AlexNet's models do, and a report lists them."""

from pathlib import Path

from hydra import compose, initialize_config_dir

from alexnet_lab.results.formats.summary import what_ran
from alexnet_lab.run.context import JobContext
from alexnet_lab.run.session import RunSession

CONFIG_DIR = Path(__file__).resolve().parents[2] / "conf"  # the source tree


def records(tmp_path, model):
    out = []
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        for activation in ("relu", "tanh"):
            overrides = [f"model={model}", f"activation={activation}", "data=synthetic"]
            cfg = compose("config", overrides=[*overrides, "logger=none"])
            context = JobContext(choices={"model": model}, overrides=overrides)
            record = RunSession.open(cfg, tmp_path / activation, context).record
            record.status = "completed"
            out.append(record)
    return out


def test_convnet4s_runs_hold_no_dropout_or_towers_fixed(tmp_path):
    runs = records(tmp_path, "convnet4")
    assert "dropout" not in runs[0].settings and "towers" not in runs[0].settings
    fixed = what_ran(runs, exclude=["activation"])["fixed"]
    assert fixed["model"] == "convnet4" and fixed["pooling"] == "overlap"
    assert "dropout" not in fixed and "towers" not in fixed


def test_alexnet_cifars_runs_hold_their_dropout_and_towers_fixed(tmp_path):
    fixed = what_ran(records(tmp_path, "alexnet_cifar"), exclude=["activation"])["fixed"]
    assert fixed["dropout"] == "on" and fixed["towers"] == "two"
