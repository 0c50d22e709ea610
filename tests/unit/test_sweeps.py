"""The W&B sweep files: each is what `alexnet-lab-sweep` generates from its experiment file,
names only real config keys, composes at every grid point, and holds the same arms, grid and
seeds as its Hydra experiment.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from alexnet_lab.sweep.wandb_sweep_files import CONFIG_DIR, experiment_grid, generate, main
from alexnet_lab.tracking.wandb_agent import agent_overrides
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


def grid_without_seed_repeats(sweep: dict) -> list[list[str]]:
    """The grid with its seeds folded: every combination of the other values, each seed once.

    A seed is a plain integer that selects no config group, so it cannot interact with the
    other values in composition; folding it keeps every distinct config of the grid.
    """
    seedless = {k: v for k, v in sweep["parameters"].items() if k != "seed"}
    points = grid({"parameters": seedless})
    seeds = sweep["parameters"].get("seed", {"values": []})["values"]
    if not seeds:
        return points
    return [[*point, f"seed={seeds[i % len(seeds)]}"] for i, point in enumerate(points)] + [
        [*points[0], f"seed={seed}"] for seed in seeds
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


def test_folding_the_seeds_keeps_every_other_combination_and_every_seed():
    sweep = {"parameters": {"a": {"values": [1, 2]}, "seed": {"values": [0, 1, 2]}}}
    points = grid_without_seed_repeats(sweep)
    assert {tuple(p[:1]) for p in points} == {("a=1",), ("a=2",)}
    assert {p[1] for p in points} == {"seed=0", "seed=1", "seed=2"}
    assert all(len(p) == 2 for p in points) and len(points) == 5
    assert grid_without_seed_repeats({"parameters": {"a": {"values": [1]}}}) == [["a=1"]]


@pytest.mark.slow  # 96 distinct configs for relu_vs_tanh_settings: about half a minute
@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_every_grid_point_composes_into_one_run_of_the_app(path):
    name = path.stem
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        for overrides in grid_without_seed_repeats(load(path)):
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


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_every_committed_sweep_file_is_the_generated_one(path):
    assert path.read_text() == generate(path.stem), "run `alexnet-lab-sweep --all`"


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_the_generated_grid_is_the_experiments_grid(name):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=[f"experiment={name}"], return_hydra_config=True)
    hydra_params = {k: str(v).split(",") for k, v in cfg.hydra.sweeper.params.items()}
    generated = yaml.safe_load(generate(name))
    assert {k: [str(v) for v in p["values"]] for k, p in generated["parameters"].items()} == (
        hydra_params
    )
    assert experiment_grid(name) == (cfg.claim, hydra_params)
    assert f"experiment={name}" in generated["command"] and generated["name"] == name


def test_hydra_sweep_syntax_is_expanded_as_hydras_basic_sweeper_does(tmp_path):
    conf = tmp_path / "conf"
    (conf / "experiment").mkdir(parents=True)
    (conf / "config.yaml").write_text("defaults:\n  - _self_\n  - experiment: null\nseed: 0\n")
    (conf / "experiment" / "grid.yaml").write_text(
        "# @package _global_\nclaim: C3\nlr: 0.1\nhydra:\n  sweeper:\n    params:\n"
        "      seed: range(0,3)\n      lr: choice(0.1,0.01)\n      flag: on,off\n"
    )
    (conf / "experiment" / "single.yaml").write_text("# @package _global_\nclaim: C1\n")
    assert experiment_grid("grid", conf) == (
        "C3",
        {"seed": ["0", "1", "2"], "lr": ["0.1", "0.01"], "flag": ["on", "off"]},
    )
    text = generate("grid", conf)
    assert "    values: [0, 1, 2]\n" in text and '    values: ["on", "off"]\n' in text
    assert generate("single", conf) is None  # nothing swept: no sweep file


def test_the_command_writes_checks_and_names_stale_files(tmp_path, capsys):
    out = tmp_path / "sweeps"
    assert main(["experiment=pooling", "--sweeps-dir", str(out)]) == 0
    assert [p.name for p in out.iterdir()] == ["pooling.yaml"]
    assert main(["pooling", "--check", "--sweeps-dir", str(out)]) == 0
    assert main(["--check", "--sweeps-dir", str(out)]) == 1  # the others are missing
    assert "dropout.yaml is missing" in capsys.readouterr().err
    assert main(["--all", "--sweeps-dir", str(out)]) == 0
    assert sorted(p.stem for p in out.iterdir()) == EXPERIMENTS
    assert main(["--check", "--sweeps-dir", str(out)]) == 0
    (out / "pooling.yaml").write_text((out / "pooling.yaml").read_text().replace("0, 1, 2", "0"))
    (out / "old.yaml").write_text("name: old\n")
    assert main(["--check", "--sweeps-dir", str(out)]) == 1
    err = capsys.readouterr().err
    assert "pooling.yaml differs from conf/experiment/pooling.yaml" in err
    assert "old.yaml belongs to no experiment with a sweep" in err
    assert main(["experiment=nope", "--sweeps-dir", str(out)]) == 2
    assert "no experiment nope" in capsys.readouterr().err


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
