"""Runs started the way `wandb agent` starts them land in one folder, one W&B group, one report."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.records import load_records

pytestmark = pytest.mark.slow
TINY = [
    "data=synthetic",
    "data.train_size=64",
    "data.val_size=32",
    "trainer.max_epochs=1",
    "callbacks=none",
    "trainer.enable_progress_bar=false",
]


def test_agent_runs_of_a_sweep_are_compared_by_alexnet_lab_report(run_cli, tmp_path):
    for run_id, arm in (("r1", "overlap"), ("r2", "nonoverlap")):
        # what `wandb agent` runs for sweeps/pooling.yaml: experiment, hydra.mode=RUN, params
        result = run_cli(
            "experiment=pooling",
            "hydra.mode=RUN",
            f"pooling={arm}",
            "seed=0",
            *TINY,
            env={"WANDB_SWEEP_ID": "abc123", "WANDB_RUN_ID": run_id},
        )
        assert result.returncode == 0, result.stderr[-3000:]
    sweep = tmp_path / "multirun" / "wandb-sweep-abc123"
    records = {Path(r.path).parent.name: r for r in load_records(sweep)}
    assert sorted(records) == ["r1", "r2"]
    for record in records.values():
        assert record.wandb["group"] == "pooling-wandb-sweep-abc123"
        assert record.wandb["mode"] == "offline" and record.claim == "C3"
    report = subprocess.run(
        [sys.executable, "-m", "alexnet_lab.results.report", "--wandb", str(sweep)],
        capture_output=True,
        text=True,
        env={**os.environ, "WANDB_MODE": "offline"},
    )
    assert report.returncode == 0, report.stderr
    # the comparison went to W&B too: one summary run in the runs' group
    (summary_run,) = (sweep / "wandb").glob("offline-run-*")
    images = sorted(p.name.split("_")[0] for p in (summary_run / "files/media/images").iterdir())
    assert images == ["final", "training"]
    (table,) = (summary_run / "files/media/table").glob("verdicts_*.table.json")
    rows = json.loads(table.read_text())["data"]
    assert [row[1] for row in rows] == ["overlap", "nonoverlap"] and rows[0][-1] == "inconclusive"
    (run_file,) = summary_run.glob("run-*.wandb")
    assert b"pooling-wandb-sweep-abc123" in run_file.read_bytes()
    assert f"wandb sync {summary_run}" in report.stdout  # on one line, to copy
    summary = json.loads((sweep / "summary.json").read_text())
    assert summary["claim"] == "C3" and summary["arms"] == ["overlap", "nonoverlap"]
    assert summary["verdict"]["verdict"] == "inconclusive"  # one seed per arm
