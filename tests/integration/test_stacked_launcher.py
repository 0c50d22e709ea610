"""hydra/launcher=stacked through the real CLI: the same records as the basic launcher's."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alexnet_lab.record.run_record import RecordError, RunRecord
from alexnet_lab.results.report import build_report
from tests.conftest import lr_seed_records
from tests.records import load_records
from tests.wandb_file import read_run

pytestmark = pytest.mark.slow
SWEEP = [
    "-m",
    "data=synthetic",
    "data.train_size=200",
    "data.val_size=100",
    "data.batch_size=50",  # 4 steps an epoch: the lr of 1e30 diverges before the epoch's end
    "model=convnet4",
    "norm=none",
    "init=torch",
    "data.scale=standard",
    "augmentation=crop_flip",  # crops and flips drawn per member, as the sequential run's
    "logger=none",
    "callbacks=none",
    "trainer.enable_progress_bar=false",
]
#: 2 lrs x 2 seeds that train, and one lr that must diverge (per seed)
GRID = ["optim.lr=0.01,0.05,1e30", "seed=0,1"]


def _env() -> dict[str, str]:
    env = {**os.environ, "WANDB_MODE": "offline", "PYTHONUNBUFFERED": "1", "COLUMNS": "160"}
    env.pop("WANDB_API_KEY", None)
    return env


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "alexnet_lab", *args]
    return subprocess.run(command, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("stacked")
    epochs = "trainer.max_epochs=2"
    seq = cli(root, *SWEEP, *GRID, epochs, "hydra.sweep.dir=basic")
    assert seq.returncode == 0, seq.stdout[-3000:] + seq.stderr[-3000:]
    stacked = cli(root, *SWEEP, *GRID, epochs, "hydra/launcher=stacked", "hydra.sweep.dir=stacked")
    assert stacked.returncode == 0, stacked.stdout[-3000:] + stacked.stderr[-3000:]
    return root / "basic", root / "stacked", stacked.stdout + stacked.stderr


def test_stacked_members_train_as_their_sequential_runs(sweeps):
    basic, stacked, log = sweeps
    assert "stacked 6 jobs on cpu" in log
    seq, stk = lr_seed_records(basic), lr_seed_records(stacked)
    assert seq.keys() == stk.keys() and len(seq) == 6
    for key, a in seq.items():
        b = stk[key]
        assert b.status == a.status, key
        assert b.launcher == "stacked" and b.group_size == 6
        assert len(b.history) == len(a.history)
        for row_a, row_b in zip(a.history, b.history, strict=True):
            assert abs(row_a["train_error"] - row_b["train_error"]) <= 0.01, key
            assert abs(row_a["val_error"] - row_b["val_error"]) <= 0.01, key
            # the eval-mode training error on the fixed subset, in both engines
            assert abs(row_a["train_eval_error"] - row_b["train_eval_error"]) <= 0.01, key
            assert row_a["lr"] == row_b["lr"]
        if a.status == "completed":
            assert abs(a.final["test"]["top1_error"] - b.final["test"]["top1_error"]) <= 0.01


def test_on_real_cifar10_four_stacked_members_train_as_their_sequential_runs(
    cifar10_tree, tmp_path
):
    """2 lrs x 2 seeds on 512 real CIFAR-10 images, 2 epochs: stacked = sequential."""
    args = [
        "-m",
        "data=cifar10",
        f"data.root={cifar10_tree}",
        "data.train_size=512",
        "data.val_size=256",
        *SWEEP[4:],  # convnet4, no norm, torch init, standardised input, crops and flips
        "optim.lr=0.01,0.05",
        "seed=0,1",
        "trainer.max_epochs=2",
    ]
    seq = cli(tmp_path, *args, "hydra.sweep.dir=basic")
    assert seq.returncode == 0, seq.stdout[-3000:] + seq.stderr[-3000:]
    stacked = cli(tmp_path, *args, "hydra/launcher=stacked", "hydra.sweep.dir=stacked")
    assert stacked.returncode == 0, stacked.stdout[-3000:] + stacked.stderr[-3000:]
    assert "stacked 4 jobs on cpu" in stacked.stdout + stacked.stderr
    a, b = lr_seed_records(tmp_path / "basic"), lr_seed_records(tmp_path / "stacked")
    assert a.keys() == b.keys() and len(a) == 4
    for key, run in a.items():
        member = b[key]
        assert member.data["name"] == run.data["name"] == "cifar10"
        assert member.data["train_size"] == 512 and member.data["source"] == "folder"
        assert member.status == run.status == "completed", key
        assert member.group_size == 4 and len(member.history) == 2
        for row_a, row_b in zip(run.history, member.history, strict=True):
            assert abs(row_a["train_error"] - row_b["train_error"]) <= 0.01, key
            assert abs(row_a["train_eval_error"] - row_b["train_eval_error"]) <= 0.01, key
            # a member's seconds are its quarter of the stack's epoch: sums stay wall time
            assert row_b["stack_seconds"] > 0
            assert abs(4 * row_b["seconds"] - row_b["stack_seconds"]) <= 0.005
    # real images: the lrs learn different amounts, so the members are not one run four times
    errors = {key: run.history[-1]["train_error"] for key, run in b.items()}
    assert len(set(errors.values())) > 1


def test_a_diverging_member_is_recorded_and_frozen_while_its_neighbours_complete(sweeps):
    _, stacked, _ = sweeps
    for key, record in lr_seed_records(stacked).items():
        if key[0] == "optim.lr=1e+30":  # as Hydra writes 1e30 back
            assert record.status == "diverged" and "training loss became" in record.error
            # mid-epoch: its neighbours trained the epoch's later batches without it
            assert re.search(r"at epoch 1, step [23] ", record.error), record.error
        else:
            assert record.status == "completed" and len(record.history) == 2


def test_stacked_job_folders_look_like_the_basic_launchers(sweeps):
    basic, stacked, _ = sweeps
    for job in sorted(p.name for p in basic.iterdir() if p.is_dir()):
        for name in (".hydra/config.yaml", ".hydra/hydra.yaml", ".hydra/overrides.yaml"):
            assert (stacked / job / name).exists(), (job, name)
        # raw on purpose: which fields each launcher writes to disk is the point
        a = json.loads((basic / job / "record.json").read_text())
        b = json.loads((stacked / job / "record.json").read_text())
        assert set(a) - {"resume_notes"} <= set(b) and set(b) - set(a) <= {"launcher", "group_size"}
        assert a["overrides"] == b["overrides"] and a["choices"] == b["choices"]


def test_the_sweep_report_fires_and_compares_stacked_records_like_sequential_ones(sweeps):
    basic, stacked, _ = sweeps
    assert (stacked / "summary.json").exists() and (stacked / "report.md").exists()
    a, b = build_report(basic, quiet=True), build_report(stacked, quiet=True)

    def arms(summary: dict) -> list:
        keys = ("arm", "n", "statuses")
        return [
            {k: arm.get(k) for k in keys}
            for setting in summary.get("settings", [])
            for arm in setting.get("arms", [])
        ]

    assert arms(a) == arms(b) and arms(a)
    for arm_a, arm_b in zip(a["settings"][0]["arms"], b["settings"][0]["arms"], strict=True):
        if arm_a.get("top1_error_mean") is not None:
            assert abs(arm_a["top1_error_mean"] - arm_b["top1_error_mean"]) <= 0.01
    assert a.get("claim") == b.get("claim")


def _wait_for_epochs(sweep: Path, jobs: int, epochs: int, timeout: float = 900) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = 0
        for path in sweep.glob("*/record.json"):
            try:
                done += len(RunRecord.load(path).history) >= epochs
            except RecordError:
                pass
        if done >= jobs:
            return
        time.sleep(0.2)
    raise AssertionError(f"{sweep} did not reach {epochs} epochs")


def test_an_interrupted_stack_resumes_to_the_uninterrupted_result(tmp_path):
    args = [*SWEEP, "optim.lr=0.01,0.05", "seed=0", "trainer.max_epochs=3"]
    args.append("hydra/launcher=stacked")
    whole = cli(tmp_path, *args, "hydra.sweep.dir=whole")
    assert whole.returncode == 0, whole.stderr[-3000:]

    command = [sys.executable, "-m", "alexnet_lab", *args, "hydra.sweep.dir=cut"]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    proc = subprocess.Popen(command, cwd=tmp_path, env=_env(), text=True, **pipes)
    _wait_for_epochs(tmp_path / "cut", jobs=2, epochs=1)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 130, out[-3000:]
    cut = lr_seed_records(tmp_path / "cut")
    assert {r.status for r in cut.values()} == {"interrupted"}
    assert "resume=true" in out

    resumed = cli(tmp_path, *args, "hydra.sweep.dir=cut", "resume=true")
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    final, expected = (
        lr_seed_records(tmp_path / "cut"),
        lr_seed_records(tmp_path / "whole"),
    )
    for key, record in expected.items():
        got = final[key]
        assert got.status == "completed" and got.resumed_from
        for a, b in zip(record.history, got.history, strict=True):
            assert (a["train_error"], a["val_error"]) == (b["train_error"], b["val_error"])

    again = cli(tmp_path, *args, "hydra.sweep.dir=cut", "resume=true")
    assert again.returncode == 0 and again.stdout.count("skipped (completed") == 2


def test_each_member_logs_to_its_own_loggers(tmp_path):
    args = [*SWEEP, "logger=csv", "optim.lr=0.01,0.02", "trainer.max_epochs=1"]
    done = cli(tmp_path, *args, "hydra/launcher=stacked", "hydra.sweep.dir=logged")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for job in ("0", "1"):
        rows = list((tmp_path / "logged" / job / "csv").rglob("metrics.csv"))
        assert rows and "train_error" in rows[0].read_text(), job
        assert (tmp_path / "logged" / job / "checkpoints" / "stacked_last.pt").exists()


def test_each_member_logs_live_to_its_own_wandb_run(tmp_path):
    args = [*SWEEP, "logger=wandb", "optim.lr=0.01,1e30", "seed=0,1", "trainer.max_epochs=2"]
    done = cli(tmp_path, *args, "hydra/launcher=stacked", "hydra.sweep.dir=logged")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    found = lr_seed_records(tmp_path / "logged")
    assert len(found) == 4 and len({r.wandb["id"] for r in found.values()}) == 4
    runs = {}
    for key, record in found.items():
        info = record.wandb
        assert info["mode"] == "offline" and info["group"] == "sweep-logged", key
        assert Path(info["dir"]).is_dir() and info["sync"].startswith("wandb sync ")
        (run_file,) = Path(info["dir"]).glob("run-*.wandb")
        assert run_file.name == f"run-{info['id']}.wandb"
        run = runs[key] = read_run(run_file)
        assert run.run.run_group == "sweep-logged"
        assert run.run.display_name == " ".join(record.overrides)[:128]
        epochs = [r for r in run.history if "epoch" in r]
        assert len(epochs) == len(record.history), key
        for logged, row in zip(epochs, record.history, strict=True):
            assert {k: logged[k] for k in row} == row  # every value, as the record has it
        if record.status == "completed":
            assert run.exit_code == 0 and len(epochs) == 2
            steps = [r["trainer/global_step"] for r in epochs]
            assert steps == [steps[0], 2 * steps[0] + 1]  # epoch * steps_per_epoch - 1
            # then the test of the final weights, as trainer.test logs it after training
            (test,) = [r for r in run.history if "test_error" in r]
            assert test["test_error"] == record.final["test"]["top1_error"]
            assert test["test_top5_error"] == record.final["test"]["top5_error"]
            assert test["trainer/global_step"] == steps[1] + 1
        else:  # diverged in its first epoch: a failed run with nothing logged
            assert record.status == "diverged" and run.exit_code == 1 and not run.history
    # every member's run opened when the stack started, before any epoch was logged
    first_rows = [r.history[0]["_timestamp"] for r in runs.values() if r.history]
    assert max(r.start_time for r in runs.values()) < min(first_rows)


@pytest.mark.parametrize("grid", [["optim.lr=0.01,-1", "seed=0,1"], ["optim.lr=-1,0.01"]])
def test_a_bad_value_fails_its_job_under_the_stacked_launcher_and_the_rest_complete(tmp_path, grid):
    result = cli(tmp_path, *SWEEP, *grid, "trainer.max_epochs=1", "hydra/launcher=stacked",
                 "hydra.sweep.dir=sweep")  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    by_lr = {}
    for key, record in lr_seed_records(tmp_path / "sweep").items():
        by_lr.setdefault(key[0], []).append(record)
    assert {r.status for r in by_lr["optim.lr=0.01"]} == {"completed"}
    bad = by_lr["optim.lr=-1"]
    assert {r.status for r in bad} == {"failed"}
    assert all(r.error.startswith("optim.lr=-1 is out of range") for r in bad)
    assert (tmp_path / "sweep" / "report.md").is_file()


def test_an_experiments_own_sweep_takes_the_stacked_launcher_unchanged(tmp_path):
    """experiment=relu_vs_tanh: one stack per activation, and C1's report from the members."""
    done = cli(
        tmp_path,
        "experiment=relu_vs_tanh",
        "hydra/launcher=stacked",
        "data=synthetic",
        "data.train_size=200",
        "data.val_size=100",
        "data.scale=standard",
        "optim.lr=0.01,0.05",
        "seed=0,1",
        "trainer.max_epochs=2",
        "logger=none",
        "trainer.enable_progress_bar=false",
        "hydra.sweep.dir=c1",
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert "Launching 8 jobs in 2 group(s)" in log and log.count("stacked 4 jobs on cpu") == 2
    found = load_records(tmp_path / "c1")
    assert len(found) == 8 and {r.group_size for r in found} == {4}
    assert {r.settings["activation"] for r in found} == {"relu", "tanh"}
    summary = json.loads((tmp_path / "c1" / "summary.json").read_text())
    assert summary["claim"] == "C1"
    arms = {arm["arm"]: arm for arm in summary["settings"][0]["arms"]}
    assert set(arms) == {"relu", "tanh"} and all(arm["n"] == 2 for arm in arms.values())


def test_stop_at_target_leaves_the_stack_at_the_target_as_a_sequential_run_stops(tmp_path):
    # a target any net reaches in its first epoch: each member leaves the stack after epoch 1
    args = [*SWEEP, "optim.lr=0.01,0.05", "seed=0", "trainer.max_epochs=3", "target_error=0.999",
            "stop_at_target=true"]  # fmt: skip
    stacked = cli(tmp_path, *args, "hydra/launcher=stacked", "hydra.sweep.dir=s")
    basic = cli(tmp_path, *args, "hydra/launcher=basic", "hydra.sweep.dir=b")
    assert stacked.returncode == 0 and basic.returncode == 0, stacked.stderr + basic.stderr
    for sweep in ("s", "b"):
        found = lr_seed_records(tmp_path / sweep)
        assert len(found) == 2
        for record in found.values():
            assert record.status == "completed" and record.stopped_at_target is True
            assert record.epochs_to_target == 1 and len(record.history) == 1
            assert record.final["test"]["top1_error"] is not None
