"""Ctrl-C while a finished sweep writes its report: no traceback, no partial file, the command."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from alexnet_lab.results.report import main as report_main
from tests.conftest import ROOT
from tests.records import load_records

pytestmark = pytest.mark.slow
TINY = [
    "data=synthetic",
    "data.train_size=128",
    "data.val_size=64",
    "trainer.max_epochs=1",
    "callbacks=none",
    "logger=csv",
    "trainer.enable_progress_bar=false",
]


def test_ctrl_c_in_the_report_phase_removes_partial_files_and_prints_the_rebuild_command(
    tmp_path: Path,
):
    env = {
        **os.environ,
        "WANDB_MODE": "offline",
        "COLUMNS": "400",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.report_interrupt", "-m", *TINY, "optim.lr=0.01,0.02"]
        + ["hydra.sweep.dir='my sweep'"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 130, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "KeyboardInterrupt" not in result.stderr
    sweep = tmp_path / "my sweep"
    records = load_records(sweep)
    assert [r.status for r in records] == ["completed", "completed"]
    # nothing partial: no cut PNG, no temporary file, no summary of half a report
    assert not list(sweep.glob("*.png")) and not list(sweep.glob(".*partial*"))
    assert not (sweep / "summary.json").exists()
    # the one command that rebuilds it, quoted so that it pastes back as it is
    lines = [line.strip("│ ") for line in result.stderr.splitlines()]
    (line,) = [line for line in lines if "Rebuild it with:" in line]
    command = shlex.split(line.split("Rebuild it with:", 1)[1])
    assert command == ["alexnet-lab-report", str(sweep)]
    report_main([command[1], "--quiet"])  # and it does rebuild the report
    assert json.loads((sweep / "summary.json").read_text())["what_ran"]["runs"] == 2
    assert (sweep / "training_curves.png").read_bytes()[:4] == b"\x89PNG"
