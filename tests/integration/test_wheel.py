"""A built wheel carries the configs: its ``alexnet-lab`` runs from an empty folder.

The wheel goes into a fresh virtual environment that borrows this one's dependencies (torch
is not downloaded again) through a filtered view of its site-packages, from which this
checkout's own (editable) alexnet_lab is left out, so only the wheel's copy can be imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.records import load_record

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TINY = [
    "data=synthetic",
    "data.train_size=64",
    "data.val_size=32",
    "data.batch_size=32",
    "logger=none",
    "callbacks=none",
    "trainer=cpu",
    "trainer.max_epochs=1",
    "trainer.enable_progress_bar=false",
]


def build_wheel(tmp_path: Path) -> Path:
    """Build the wheel from a copy of the sources (the checkout gets no build/ folder)."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("alexnet_lab", "conf", "hydra_plugins"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    out = tmp_path / "wheelhouse"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(out), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    (wheel,) = out.glob("alexnet_lab-*.whl")
    return wheel


def borrowed_site_packages(tmp_path: Path) -> Path:
    """This environment's site-packages without alexnet_lab, its editable finder and .pth files."""
    view = tmp_path / "deps"
    view.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        name = entry.name.lower()
        if name.startswith(("alexnet_lab", "__editable__")) or name.endswith(".pth"):
            continue
        (view / entry.name).symlink_to(entry)
    return view


def venv_with(wheel: Path, tmp_path: Path) -> Path:
    """A fresh venv holding the wheel, its dependencies borrowed; returns its bin folder."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, env=clean_env(),
    ).stdout.strip()  # fmt: skip
    (Path(site) / "borrowed.pth").write_text(f"{borrowed_site_packages(tmp_path)}\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True, capture_output=True, text=True, env=clean_env(), timeout=300,
    )  # fmt: skip
    return bin_dir


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.pop("WANDB_API_KEY", None)
    return {**env, "WANDB_MODE": "offline", "COLUMNS": "160"}


def test_the_wheel_carries_the_configs_and_its_command_runs_from_an_empty_folder(tmp_path):
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "alexnet_lab/conf/config.yaml" in names
    # the stacked launcher ships as a Hydra plugin, where Hydra's discovery walks
    assert "hydra_plugins/alexnet_lab_stacked_launcher/stacked_launcher.py" in names
    assert "alexnet_lab/conf/data/synthetic.yaml" in names
    assert "alexnet_lab/conf/hydra/launcher/slurm.yaml" in names
    assert "alexnet_lab/conf/experiment/relu_vs_tanh.yaml" in names

    bin_dir = venv_with(wheel, tmp_path)
    work = tmp_path / "empty"
    work.mkdir()
    env = {**clean_env(), "ALEXNET_LAB_DATA": str(tmp_path / "data")}
    where = subprocess.run(
        [bin_dir / "python", "-c", "import alexnet_lab.cli as c; print(c.__file__, c.CONFIG_DIR)"],
        cwd=work, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    assert all(Path(p).is_relative_to(tmp_path / "venv") for p in where), where

    result = subprocess.run(
        [bin_dir / "alexnet-lab", *TINY, "hydra.run.dir=run"],
        cwd=work, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    record = load_record(work / "run")
    assert record.status == "completed" and len(record.history) == 1
    assert record.choices["data"] == "synthetic"

    # a user's own configs still join the packaged ones
    mine = work / "mine" / "data"
    mine.mkdir(parents=True)
    (mine / "tiny.yaml").write_text("defaults:\n  - synthetic\n  - _self_\ntrain_size: 48\n")
    composed = subprocess.run(
        [bin_dir / "alexnet-lab", "--config-dir", str(work / "mine"), "data=tiny", "--cfg", "job"],
        cwd=work, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert composed.returncode == 0, composed.stderr[-3000:]
    assert "train_size: 48" in composed.stdout and "name: synthetic" in composed.stdout
