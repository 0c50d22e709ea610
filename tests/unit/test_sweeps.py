"""The W&B sweep files: each parses, names only real config keys, composes at every grid point,
and holds the same arms, grid and seeds as its Hydra experiment.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.wandb_sweep import agent_overrides
from tests.conftest import ROOT

SWEEPS = sorted((ROOT / "sweeps").glob("*.yaml"))
EXPERIMENTS = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))
GROUPS = {p.name for p in CONFIG_DIR.iterdir() if p.is_dir()}
_MISSING = object()


def unknown_parameters(sweep: dict, experiment: str) -> list[str]:
    """The sweep's parameter names that are neither a config group nor a key of the config."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=[f"experiment={experiment}"])
    return [
        name
        for name in sweep.get("parameters", {})
        if name not in GROUPS and OmegaConf.select(cfg, name, default=_MISSING) is _MISSING
    ]


def grid(sweep: dict) -> list[list[str]]:
    """Every combination of the sweep's values as Hydra overrides (the agent's arguments)."""
    params = sweep["parameters"]
    names = list(params)
    return [
        [f"{n}={v}" for n, v in zip(names, values, strict=True)]
        for values in itertools.product(*(params[n]["values"] for n in names))
    ]


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_there_is_one_sweep_per_experiment():
    assert [p.stem for p in SWEEPS] == EXPERIMENTS


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_a_sweep_runs_its_experiments_arms_grid_and_seeds_as_single_runs(path):
    sweep = load(path)
    name = path.stem
    assert sweep["method"] == "grid" and sweep["program"] == "alexnet-lab"
    assert sweep["command"] == [
        "${env}",
        "alexnet-lab",
        f"experiment={name}",
        "hydra.mode=RUN",
        "${args_no_hyphens}",
    ]
    assert unknown_parameters(sweep, name) == []
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        experiment = compose("config", overrides=[f"experiment={name}"], return_hydra_config=True)
    hydra_params = {k: str(v).split(",") for k, v in experiment.hydra.sweeper.params.items()}
    swept = {k: [str(v) for v in p["values"]] for k, p in sweep["parameters"].items()}
    assert swept == hydra_params  # the two cannot drift apart


@pytest.mark.slow  # 192 grid points for relu_vs_tanh_settings: about a minute
@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_every_grid_point_composes_into_one_run_of_the_app(path):
    name = path.stem
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        for overrides in grid(load(path)):
            cfg = compose(
                "config",
                overrides=[f"experiment={name}", "hydra.mode=RUN", *overrides],
                return_hydra_config=True,
            )
            assert str(cfg.hydra.mode) == "RunMode.RUN"
            for override in overrides:
                key, value = override.split("=")
                chosen = cfg.hydra.runtime.choices.get(key, OmegaConf.select(cfg, key))
                assert str(chosen) == value


def test_a_parameter_that_is_not_a_config_key_is_rejected():
    sweep = {"parameters": {"pooling": {"values": ["overlap"]}, "optim.lrate": {"values": [1]}}}
    assert unknown_parameters(sweep, "pooling") == ["optim.lrate"]


def test_an_agent_run_writes_below_its_sweeps_folder():
    env = {"WANDB_SWEEP_ID": "abc123", "WANDB_RUN_ID": "r7"}
    assert agent_overrides(["experiment=pooling", "seed=0"], env) == [
        "hydra.run.dir=multirun/wandb-sweep-abc123/r7"
    ]
    assert agent_overrides(["seed=0"], {}) == []  # not under an agent
    assert agent_overrides(["hydra.run.dir=x"], env) == []  # the user chose a folder
