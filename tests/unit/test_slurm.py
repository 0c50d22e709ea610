"""The SLURM launcher config composes with the app (the plugin installs with the dev extra)."""

import subprocess
import sys

import pytest
from hydra import compose, initialize_config_dir

from alexnet_lab.cli import CONFIG_DIR

pytest.importorskip("hydra_plugins.hydra_submitit_launcher")  # pip install -e '.[slurm]'
SLURM_LAUNCHER = "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"


def test_an_experiment_on_slurm_submits_one_job_per_arm_and_seed():
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose(
            "config",
            overrides=[
                "hydra/launcher=slurm",
                "experiment=pooling",
                "hydra.launcher.partition=gpu",
            ],
            return_hydra_config=True,
        )
    launcher = cfg.hydra.launcher
    assert launcher._target_ == SLURM_LAUNCHER
    assert (launcher.partition, launcher.gpus_per_node, launcher.tasks_per_node) == ("gpu", 1, 1)
    assert launcher.timeout_min == 4320 and launcher.max_num_timeout == 0
    assert cfg.hydra.sweeper.params == {"pooling": "overlap,nonoverlap", "seed": "0,1,2"}
    assert (
        cfg.hydra.callbacks.sweep_report._target_
        == "alexnet_lab.sweep.hydra_callbacks.SweepReportCallback"
    )


def test_the_cli_prints_the_slurm_launcher_config():
    result = subprocess.run(
        [sys.executable, "-m", "alexnet_lab", "hydra/launcher=slurm", "experiment=pooling"]
        + ["--cfg", "hydra", "--package", "hydra.launcher"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"_target_: {SLURM_LAUNCHER}" in result.stdout
    assert "submitit_folder: ${hydra.sweep.dir}/.submitit/%j" in result.stdout
