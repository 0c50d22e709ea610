"""Two commands into one sweep folder: the second is refused and the first's runs stay its own."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.records import load_records

pytestmark = pytest.mark.slow
TINY = [
    "data=synthetic",
    "data.train_size=256",
    "data.val_size=128",
    "callbacks=none",
    "logger=none",
    "trainer.enable_progress_bar=false",
]


def test_a_second_sweep_into_a_held_folder_is_refused_and_changes_nothing(run_cli, tmp_path):
    env = {**os.environ, "ALEXNET_LAB_DATA": str(tmp_path / "data"), "WANDB_MODE": "offline"}
    first = subprocess.Popen(
        [sys.executable, "-m", "alexnet_lab", "-m", *TINY, "optim.lr=0.001,0.003"]
        + ["trainer.max_epochs=6", "hydra.sweep.dir=sweep"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = tmp_path / "sweep" / ".alexnet-lab.lock"
    deadline = time.monotonic() + 120
    while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert lock.exists(), "the first sweep never took its folder's lock"
    assert json.loads(lock.read_text())["pid"] == first.pid

    second = run_cli(
        "-m", *TINY, "optim.lr=0.1,0.3", "trainer.max_epochs=1", "hydra.sweep.dir=sweep"
    )
    assert second.returncode == 2, second.stderr[-3000:]
    message = " ".join(second.stderr.split())
    assert "folder in use" in message and f"process {first.pid} on host" in message
    assert "optim.lr=0.001,0.003" in message and "started nothing" in message

    assert first.wait(timeout=600) == 0, first.stderr.read()[-3000:]
    sweep = tmp_path / "sweep"
    records = load_records(sweep)
    assert [r.status for r in records] == ["completed", "completed"]
    assert [[o for o in r.overrides if o.startswith("optim.lr=")] for r in records] == [
        ["optim.lr=0.001"],
        ["optim.lr=0.003"],
    ]
    assert all(len(r.history) == 6 for r in records)
    assert "0.1,0.3" not in (sweep / "multirun.yaml").read_text()
    assert not lock.exists()  # released when the first sweep ended
    assert not list(Path(sweep).glob(".alexnet-lab.lock*"))
