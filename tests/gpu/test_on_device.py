"""The toolkit on a GPU: both engines, resident data, ten-crop tests and the paper's net.

Each test trains on the device that ``ALEXNET_LAB_TEST_DEVICE`` names (CUDA by default; they
skip without it). ``bench/gpu_check.py`` runs them first on a GPU machine.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.engines.lightning.train import train
from tests.conftest import lr_seed_records

pytestmark = pytest.mark.gpu

#: 200 synthetic images in batches of 50: an lr of 1e30 diverges inside the first epoch.
#: No crops (convnet4 has no dropout): the sequential run on CUDA draws crops from the CUDA
#: generator, a stack member from its own CPU generator (same distribution, other numbers),
#: and the test compares number against number.
SWEEP = [
    "-m",
    "data=synthetic",
    "data.train_size=200",
    "data.val_size=100",
    "data.batch_size=50",
    "model=convnet4",
    "norm=none",
    "init=torch",
    "data.scale=standard",
    "augmentation=none",
    "logger=none",
    "callbacks=none",
    "trainer.enable_progress_bar=false",
    "trainer.max_epochs=2",
    "optim.lr=0.01,0.05,1e30",
    "seed=0,1",
]


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "160", "WANDB_MODE": "disabled"}
    command = [sys.executable, "-m", "alexnet_lab", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def engines(tmp_path_factory, accelerator: str) -> tuple[dict, dict, str]:
    """The same six jobs through the basic launcher and stacked: (basic, stacked, its log)."""
    root = tmp_path_factory.mktemp("engines")
    on = f"trainer.accelerator={accelerator}"
    basic = _cli(root, *SWEEP, on, "hydra/launcher=basic", "hydra.sweep.dir=basic")
    assert basic.returncode == 0, basic.stdout[-3000:] + basic.stderr[-3000:]
    stacked = _cli(root, *SWEEP, on, "hydra/launcher=stacked", "hydra.sweep.dir=stacked")
    assert stacked.returncode == 0, stacked.stdout[-3000:] + stacked.stderr[-3000:]
    return (
        lr_seed_records(root / "basic"),
        lr_seed_records(root / "stacked"),
        stacked.stdout + stacked.stderr,
    )


def test_stacked_members_train_as_their_sequential_runs_on_the_device(
    engines, device: str, tolerance: float
):
    basic, stacked, log = engines
    assert f"stacked 6 jobs on {device}" in log
    assert basic.keys() == stacked.keys() and len(basic) == 6
    for key, a in basic.items():
        b = stacked[key]
        assert b["status"] == a["status"], key
        assert b["launcher"] == "stacked" and b["group_size"] == 6
        assert len(b["history"]) == len(a["history"]), key
        for row_a, row_b in zip(a["history"], b["history"], strict=True):
            assert abs(row_a["train_error"] - row_b["train_error"]) <= tolerance, key
            assert abs(row_a["val_error"] - row_b["val_error"]) <= tolerance, key
        if a["status"] == "completed":
            final_a, final_b = a["final"]["test"]["top1_error"], b["final"]["test"]["top1_error"]
            assert abs(final_a - final_b) <= tolerance, key


def test_both_engines_say_they_trained_on_the_device(engines, device: str):
    basic, stacked, _ = engines
    for record in [*basic.values(), *stacked.values()]:
        # the sequential run's data sit on the GPU by default (data.resident=auto), the stack's
        # always do; on the CPU a sequential run keeps its DataLoader
        resident = record["data"]["resident"]
        if device == "cuda" or record["launcher"] == "stacked":
            assert str(resident).startswith(device), (record["launcher"], resident)
        assert (record["machine"]["gpu_count"] > 0) == (device == "cuda")


def test_a_diverging_member_is_frozen_on_the_device_while_its_neighbours_complete(engines):
    _, stacked, _ = engines
    for key, record in stacked.items():
        if key[0] == "optim.lr=1e+30":  # as Hydra writes 1e30 back
            assert record["status"] == "diverged" and "training loss became" in record["error"]
            assert re.search(r"at epoch 1, step [1-4] ", record["error"]), record["error"]
        else:
            assert record["status"] == "completed" and len(record["history"]) == 2
            assert all(math.isfinite(row["train_loss"]) for row in record["history"])


def _compose(*overrides: str):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("config", overrides=list(overrides))


def _in_process(accelerator: str, *overrides: str) -> list[str]:
    return [
        f"trainer.accelerator={accelerator}",
        "trainer.enable_progress_bar=false",
        "trainer.enable_checkpointing=false",
        "callbacks=none",
        "logger=none",
        *overrides,
    ]


def test_resident_data_on_the_device_train_as_the_dataloaders(
    tmp_path: Path, accelerator: str, device: str, tolerance: float
):
    common = [
        "data=synthetic",
        "data.train_size=96",
        "data.val_size=40",
        "data.batch_size=32",
        "augmentation=crop_flip",  # crops and flips drawn on the device, after each batch
        "trainer.max_epochs=2",
    ]
    loader = train(_compose(*_in_process(accelerator, *common, "data.resident=false")), tmp_path)
    resident = train(
        _compose(*_in_process(accelerator, *common, "data.resident=true")), tmp_path / "r"
    )
    assert loader.data["resident"] is None
    assert str(resident.data["resident"]).startswith(device)
    assert resident.status == loader.status == "completed"
    for a, b in zip(loader.history, resident.history, strict=True):
        for key in ("train_error", "val_error"):
            assert abs(a[key] - b[key]) <= tolerance, key
        assert math.isfinite(b["train_loss"])


def test_ten_crop_tests_run_on_the_device(tmp_path: Path, accelerator: str):
    cfg = _compose(
        *_in_process(
            accelerator,
            "data=synthetic",
            "data.train_size=64",
            "data.val_size=40",
            "data.batch_size=16",
            "augmentation=crop_flip",
            "tta.test_views=[center,ten_crop]",
            "trainer.max_epochs=1",
        )
    )
    record = train(cfg, tmp_path)
    assert record.status == "completed"
    tests = record.final["tests"]
    assert set(tests) == {"center", "ten_crop"}
    for view in tests.values():
        # an error over the 40 test images: a whole number of them
        assert 0.0 <= view["top1_error"] <= 1.0
        assert view["top1_error"] * 40 == pytest.approx(round(view["top1_error"] * 40), abs=1e-6)


def test_the_papers_net_trains_two_epochs_on_227_pixel_crops(tmp_path: Path, accelerator: str):
    cfg = _compose(
        *_in_process(
            accelerator,
            "model=alexnet",
            "data=synthetic",
            "data.image_size=256",
            "data.crop_size=227",
            "data.train_size=64",
            "data.val_size=32",
            "data.batch_size=32",
            "augmentation=paper",  # random 227 crops, flips and PCA lighting on the device
            "trainer.max_epochs=2",
        )
    )
    record = train(cfg, tmp_path)
    assert record.status == "completed", record.error
    assert record.data["input_shape"] == [3, 227, 227]
    assert len(record.history) == 2
    assert all(math.isfinite(row["train_loss"]) for row in record.history)
