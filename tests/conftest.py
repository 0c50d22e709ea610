"""Shared fixtures: the repository root, a CLI runner, data trees, a sweep's records by key.

Records are built and read in ``tests/records.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from alexnet_lab.record.run_record import RunRecord

ROOT = Path(__file__).resolve().parent.parent
FASHION_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
#: the environment variable naming a local CIFAR-10 tree (DIR/train/<class>/, DIR/test/<class>/)
CIFAR10_ENV = "ALEXNET_LAB_CIFAR10"

# Skipped on a developer machine without the package; never skipped in CI (CI=true).
needs_fashion_mnist = pytest.mark.skipif(
    not (FASHION_SYSTEM_DIR / "train-images-idx3-ubyte.gz").exists() and not os.environ.get("CI"),
    reason="Debian's dataset-fashion-mnist is missing (apt-get install dataset-fashion-mnist)",
)


@pytest.fixture(scope="session")
def cifar10_tree() -> Path:
    """The whole CIFAR-10 as an ImageFolder tree, from ``$ALEXNET_LAB_CIFAR10``.

    The folder holds ``train/<class>/`` and ``test/<class>/`` (docs/data.md says where to get
    one); ``.ci/run`` sets the variable. Its decoded tensors are cached inside it on first use,
    so later tests read them. Without the variable the test is skipped, saying why.
    """
    value = os.environ.get(CIFAR10_ENV)
    if not value:
        pytest.skip(
            f"{CIFAR10_ENV} is not set: point it at a local CIFAR-10 tree "
            "(DIR/train/<class>/, DIR/test/<class>/; see docs/data.md)"
        )
    root = Path(value)
    if not (root / "train").is_dir() or not (root / "test").is_dir():
        pytest.fail(f"{CIFAR10_ENV}={root} has no train/ and test/ folders (see docs/data.md)")
    return root


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
            # test-only Lightning callbacks (tests/collapse.py, tests/ddp_kill.py) are named
            # by `_target_` and imported in the CLI's process, which runs in tmp_path
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
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


def make_image_tree(
    root: Path,
    classes: tuple[str, ...] = ("n01", "n02", "n03"),
    train_per_class: int = 6,
    val_per_class: int = 3,
    size: tuple[int, int] = (80, 64),
    seed: int = 0,
) -> Path:
    """Write a small ImageFolder tree of real image files (JPEG and PNG, via PIL).

    Each class has its own colour, so a net can learn it; sizes vary a little per image.
    """
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    for split, count in (("train", train_per_class), ("val", val_per_class)):
        for c, name in enumerate(classes):
            folder = root / split / name
            folder.mkdir(parents=True, exist_ok=True)
            colour = np.array([(c * 97) % 256, (c * 57 + 80) % 256, (c * 151 + 30) % 256])
            for i in range(count):
                w, h = size[0] + 8 * (i % 3), size[1] + 4 * (i % 2)
                pixels = colour + rng.normal(0, 40, (h, w, 3))
                image = Image.fromarray(pixels.clip(0, 255).astype("uint8"))
                suffix = ".png" if i % 2 else ".jpg"
                image.save(folder / f"img{i}{suffix}")
    return root


@pytest.fixture
def image_tree(tmp_path: Path) -> Path:
    """A 3-class ImageFolder tree: 6 training and 3 validation images per class."""
    return make_image_tree(tmp_path / "tree")


def lr_seed_records(sweep: Path) -> dict[tuple[str, ...], RunRecord]:
    """A sweep's run records, keyed by their ``optim.lr=`` and ``seed=`` overrides."""
    from tests.records import load_records

    found = {}
    for record in load_records(sweep):
        found[tuple(o for o in record.overrides if o.startswith(("optim.lr", "seed")))] = record
    return found


@pytest.fixture(autouse=True)
def _wandb_torn_down_after_each_test():
    """W&B keeps one setup per process (its mode, key and service): a test that trained with
    W&B in-process would hand it to the next test on the same worker, whose own WANDB_MODE
    or key would then be ignored. Tear it down after every test that loaded W&B."""
    yield
    wandb = sys.modules.get("wandb")
    if wandb is not None and hasattr(wandb, "teardown"):
        try:
            wandb.teardown()
        except Exception:  # a test that already tore it down, or left it half started
            pass


@pytest.fixture(autouse=True)
def _no_signal_left_behind():
    """The signals a process received decide its exit status (130/143): a test that sent one
    to its own process would hand it to the next test on the same worker. Forget them after
    every test."""
    yield
    signals = sys.modules.get("alexnet_lab.run.signals")
    if signals is not None:
        signals.RECEIVED.clear()
