"""Shared fixtures: the repository root, a CLI runner, and record builders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FASHION_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")

# Skipped on a developer machine without the package; never skipped in CI (CI=true).
needs_fashion_mnist = pytest.mark.skipif(
    not (FASHION_SYSTEM_DIR / "train-images-idx3-ubyte.gz").exists() and not os.environ.get("CI"),
    reason="Debian's dataset-fashion-mnist is missing (apt-get install dataset-fashion-mnist)",
)


@pytest.fixture
def run_cli(tmp_path: Path):
    """Run ``python -m alexnet_lab`` with overrides in a fresh folder; return the result."""

    def run(
        *overrides: str, timeout: int = 600, env: dict | None = None
    ) -> subprocess.CompletedProcess:
        full_env = {
            **os.environ,
            "WANDB_MODE": "offline",
            "ALEXNET_LAB_DATA": str(tmp_path / "data"),
            "PYTHONUNBUFFERED": "1",
            "COLUMNS": "160",
            **(env or {}),
        }
        full_env.pop("WANDB_API_KEY", None)
        return subprocess.run(
            [sys.executable, "-m", "alexnet_lab", *overrides],
            cwd=tmp_path,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
