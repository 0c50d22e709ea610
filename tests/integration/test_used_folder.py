"""A folder that holds runs is never overwritten: resume=true, replace=true, or a refusal."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.records import load_record, load_records

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


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder below ``folder``: its path and, for a file, its content's hash."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "dir"
        for p in sorted(folder.rglob("*"))
    }


def refused(result, folder: Path) -> str:
    """Check the refusal: exit 2, one paragraph naming both fixes, no traceback."""
    assert result.returncode == 2, result.stderr[-3000:]
    message = " ".join(result.stderr.replace("│", " ").split())  # the paragraph, unwrapped
    assert "folder already used" in message and "Traceback" not in result.stderr
    assert str(folder.resolve()) in message and "resume=true" in message
    assert "replace=true" in message and "nothing is deleted" in message
    return message


def test_a_finished_sweep_is_never_overwritten_by_the_same_or_another_grid(run_cli, tmp_path):
    first = run_cli("-m", *TINY, "optim.lr=0.01,0.02", "hydra.sweep.dir=sweep")
    assert first.returncode == 0, first.stderr[-3000:]
    sweep = tmp_path / "sweep"
    before = snapshot(sweep)
    assert {"0/record.json", "1/record.json", "summary.json"} <= set(before)

    again = run_cli("-m", *TINY, "optim.lr=0.01,0.02", "hydra.sweep.dir=sweep")
    message = refused(again, sweep)
    assert "2 run records (2 completed)" in message
    assert snapshot(sweep) == before  # byte for byte, and no new file

    other = run_cli("-m", *TINY, "optim.lr=0.5", "seed=3", "hydra.sweep.dir=sweep")
    refused(other, sweep)
    assert snapshot(sweep) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep"]

    replaced = run_cli(
        "-m", *TINY, "optim.lr=0.5", "seed=3", "replace=true", "hydra.sweep.dir=sweep"
    )
    assert replaced.returncode == 0, replaced.stderr[-3000:]
    (aside,) = tmp_path.glob("sweep.replaced-*")
    assert f"moved to {aside}" in " ".join(replaced.stderr.replace("│", " ").split())
    assert snapshot(aside) == before  # the old sweep, whole, beside the new one
    (record,) = load_records(sweep)
    assert "optim.lr=0.5" in record.overrides and "replace=true" not in record.overrides
    summary = json.loads((sweep / "summary.json").read_text())
    assert summary["what_ran"]["runs"] == 1  # the report has only the new sweep's run


def test_a_used_single_run_folder_is_refused_then_replaced(run_cli, tmp_path):
    first = run_cli(*TINY, "hydra.run.dir=run")
    assert first.returncode == 0, first.stderr[-3000:]
    run = tmp_path / "run"
    before = snapshot(run)
    assert "checkpoints/last.ckpt" in before

    again = run_cli(*TINY, "seed=1", "hydra.run.dir=run")
    assert "1 run record (1 completed)" in refused(again, run)
    assert snapshot(run) == before

    both = run_cli(*TINY, "resume=true", "replace=true", "hydra.run.dir=run")
    assert both.returncode == 2 and "contradict" in both.stderr
    assert snapshot(run) == before

    replaced = run_cli(*TINY, "seed=1", "replace=true", "hydra.run.dir=run")
    assert replaced.returncode == 0, replaced.stderr[-3000:]
    (aside,) = tmp_path.glob("run.replaced-*")
    assert snapshot(aside) == before
    assert load_record(run).seed == 1


def test_the_stacked_launcher_refuses_a_used_folder_too(run_cli, tmp_path):
    stacked = ["hydra/launcher=stacked", "optim.lr=0.01,0.02", "hydra.sweep.dir=stacked"]
    first = run_cli("-m", *TINY, *stacked)
    assert first.returncode == 0, first.stderr[-3000:]
    folder = tmp_path / "stacked"
    before = snapshot(folder)
    assert "0/record.json" in before and "1/record.json" in before

    again = run_cli("-m", *TINY, *stacked)
    refused(again, folder)
    assert snapshot(folder) == before
