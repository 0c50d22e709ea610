"""A stacked member's loggers are live: W&B runs open side by side, rows logged as they come."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from alexnet_lab.engines.stacked.member_loggers import close_loggers, log_epoch, open_loggers
from alexnet_lab.record.files import RunRecord
from alexnet_lab.tracking.loggers import finish_wandb, wandb_logger
from tests.records import a_record
from tests.wandb_file import RunFile, read_run

CONFIGS = {
    "wandb": {
        "_target_": "alexnet_lab.tracking.loggers.wandb_logger",
        "project": "alexnet-lab",
        "entity": None,
        "save_dir": None,
    },
    "csv": {"_target_": "pytorch_lightning.loggers.CSVLogger", "save_dir": None, "name": "csv"},
}


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _record(folder: Path, lr: str) -> RunRecord:
    out = folder / lr
    out.mkdir()
    return a_record(
        status="running", overrides=[f"optim.lr={lr}"], output_dir=str(out), config={"lr": lr}
    )


def _row(epoch: int, error: float) -> dict:
    return {"epoch": epoch, "train_error": error, "val_error": error + 0.1, "lr": 0.1}


def _run_file(info: dict[str, str]) -> Path:
    return Path(info["dir"]) / f"run-{info['id']}.wandb"


def _finished_run(info: dict[str, str]) -> RunFile:
    """The run's file once W&B's service has written its exit record (it writes after finish
    returns; on a loaded machine a moment later)."""
    deadline = time.monotonic() + 60
    run = read_run(_run_file(info))
    while run.exit_code is None and time.monotonic() < deadline:
        time.sleep(0.5)
        run = read_run(_run_file(info))
    return run


def _csv_text(record: RunRecord) -> str:
    files = list(Path(str(record.output_dir), "csv").rglob("metrics.csv"))
    return files[0].read_text() if files else ""


def test_two_members_log_to_their_own_runs_while_both_are_open(offline: Path):
    import wandb

    first, second = _record(offline, "0.01"), _record(offline, "1e30")
    a = open_loggers(first, CONFIGS, "sweep-g", steps_per_epoch=5)
    b = open_loggers(second, CONFIGS, "sweep-g", steps_per_epoch=5)
    assert wandb.run is None  # neither member's run is the global one
    log_epoch(a, _row(1, 0.5))
    log_epoch(b, _row(1, 0.9))
    assert "0.5" in _csv_text(first) and "0.9" in _csv_text(second)  # written as they come

    info_b = close_loggers(b, exit_code=1)  # b diverged: its run ends, a's goes on
    run_b = _finished_run(info_b)
    assert run_b.exit_code == 1
    assert [(r["trainer/global_step"], r["train_error"]) for r in run_b.history] == [(4, 0.9)]
    log_epoch(a, _row(2, 0.4))
    info_a = close_loggers(a, exit_code=0)
    run_a = _finished_run(info_a)
    assert run_a.exit_code == 0
    steps = [(r["trainer/global_step"], r["epoch"], r["train_error"]) for r in run_a.history]
    assert steps == [(4, 1, 0.5), (9, 2, 0.4)]
    assert "0.4" in _csv_text(first)

    # both runs were open before either logged an epoch: live, not replayed at the end
    assert max(run_a.start_time, run_b.start_time) < run_a.history[0]["_timestamp"]
    assert info_a["id"] != info_b["id"] and {info_a["mode"], info_b["mode"]} == {"offline"}
    assert info_a["group"] == info_b["group"] == "sweep-g"
    assert run_a.run.display_name == "optim.lr=0.01" and list(run_b.run.tags) == ["optim.lr=1e30"]
    assert wandb.run is None
    assert close_loggers(a, exit_code=0) == {}  # closed once

    # a sequential job after the stack gets a run of its own (W&B would hand it a member's
    # run if one were left unfinished), and finish_wandb's default finishes that one
    later = wandb_logger(save_dir=str(offline / "later")).experiment
    assert later.id not in (info_a["id"], info_b["id"]) and wandb.run is later
    assert (finish_wandb(exit_code=0) or {}).get("id") == later.id and wandb.run is None


def test_a_member_does_not_log_into_a_run_left_active(offline: Path):
    import wandb

    left = wandb.init(project="alexnet-lab", dir=str(offline), mode="offline")
    try:
        with pytest.raises(RuntimeError, match=f"W&B run {left.id} is still active"):
            open_loggers(_record(offline, "0.01"), CONFIGS, None, steps_per_epoch=1)
    finally:
        left.finish()
    assert wandb.run is None


def test_a_job_that_never_used_wandb_finishes_without_importing_it():
    import subprocess
    import sys

    code = (
        "import sys; from alexnet_lab.tracking.loggers import finish_wandb; "
        "assert finish_wandb(exit_code=0) is None; print('wandb' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"  # W&B's import costs seconds a CSV-logged job skips
