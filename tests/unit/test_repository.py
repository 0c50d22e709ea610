"""The repository ships every module and config file, and no data or run outputs."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def tracked() -> set[str]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_every_package_module_and_config_file_is_tracked():
    files = tracked()
    wanted = [p.relative_to(ROOT).as_posix() for p in (ROOT / "alexnet_lab").rglob("*.py")]
    wanted += [p.relative_to(ROOT).as_posix() for p in (ROOT / "conf").rglob("*.yaml")]
    missing = sorted(set(wanted) - files)
    assert not missing, f"not in git (a .gitignore pattern?): {missing}"
    assert "alexnet_lab/data/datamodules.py" in files and "conf/data/cifar10.yaml" in files


def test_no_data_checkpoints_or_run_outputs_are_tracked():
    bad = [f for f in tracked() if f.startswith(("data/", "outputs/", "multirun/", "wandb/"))
           or "/wandb/" in f or f.endswith((".ckpt", ".pt", ".gz"))]  # fmt: skip
    assert not bad
