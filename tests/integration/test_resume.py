"""Interrupt and resume: real signals to real subprocesses, then resume=true."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from alexnet_lab.record.files import write_record
from alexnet_lab.record.run_record import RecordError, RunRecord
from tests.records import load_record

pytestmark = pytest.mark.slow
RUN = [
    "data=synthetic",
    "data.train_size=256",
    "data.val_size=128",
    "augmentation=crop_flip",  # random crops and flips: the RNG streams must resume too
    "init=torch",
    "data.scale=standard",  # a net that learns within a few epochs
    "callbacks=none",
    "logger=csv",
    "trainer.enable_progress_bar=false",
]


def start(tmp_path: Path, *overrides: str) -> subprocess.Popen:
    env = {**os.environ, "WANDB_MODE": "offline", "PYTHONUNBUFFERED": "1", "COLUMNS": "400"}
    return subprocess.Popen(
        [sys.executable, "-m", "alexnet_lab", *overrides],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=900)
    return proc.returncode, out


def wait_for_epochs(record: Path, epochs: int, timeout: float = 600) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if len(RunRecord.load(record).history) >= epochs:
                return
        except RecordError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{record} did not reach {epochs} epochs")


def wait_for_file(path: Path, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while not path.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert path.exists(), f"{path} was not written"


def history(record: RunRecord) -> list[float]:
    return [row[k] for row in record.history for k in ("train_error", "val_error", "lr")]


def test_a_run_stopped_by_ctrl_c_resumes_to_the_same_result_as_an_uninterrupted_run(tmp_path):
    whole = finish(start(tmp_path, *RUN, "trainer.max_epochs=5", "hydra.run.dir=whole"))
    assert whole[0] == 0, whole[1][-3000:]

    proc = start(tmp_path, *RUN, "trainer.max_epochs=5", "hydra.run.dir=cut")
    wait_for_epochs(tmp_path / "cut" / "record.json", 2)
    wait_for_file(tmp_path / "cut" / "checkpoints" / "last.ckpt")
    proc.send_signal(signal.SIGINT)
    code, out = finish(proc)
    assert code == 130, out[-3000:]
    cut = load_record(tmp_path / "cut")
    assert cut.status == "interrupted" and 2 <= len(cut.history) < 5
    assert (tmp_path / "cut" / "checkpoints" / "last.ckpt").exists()
    assert "resume=true hydra.run.dir=" in out  # the command that resumes it

    code, out = finish(
        start(tmp_path, *RUN, "trainer.max_epochs=5", "hydra.run.dir=cut", "resume=true")
    )
    assert code == 0, out[-3000:]
    resumed = load_record(tmp_path / "cut")
    reference = load_record(tmp_path / "whole")
    assert resumed.status == "completed" and resumed.resumed_from.endswith("last.ckpt")
    assert [row["epoch"] for row in resumed.history] == [1, 2, 3, 4, 5]
    assert history(resumed) == pytest.approx(history(reference), abs=1e-6)
    assert resumed.overrides == reference.overrides  # resume=true is not part of the job
    weights = [
        torch.load(tmp_path / d / "checkpoints" / "last.ckpt", weights_only=False)["state_dict"]
        for d in ("whole", "cut")
    ]
    for name, tensor in weights[0].items():
        torch.testing.assert_close(weights[1][name], tensor, atol=1e-6, rtol=0)


def sweep(tmp_path: Path, *extra: str) -> subprocess.Popen:
    return start(
        tmp_path, "-m", "pooling=overlap,nonoverlap", *RUN, "hydra.sweep.dir=sweep", *extra
    )


def test_a_finished_sweep_rerun_with_resume_trains_nothing(tmp_path):
    code, out = finish(sweep(tmp_path, "trainer.max_epochs=1"))
    assert code == 0, out[-3000:]
    records = sorted((tmp_path / "sweep").rglob("record.json"))
    before = [p.read_bytes() for p in records]
    code, out = finish(sweep(tmp_path, "trainer.max_epochs=1", "resume=true"))
    assert code == 0, out[-3000:]
    assert out.count("skipped (completed, resume=true)") == 2
    assert [p.read_bytes() for p in records] == before
    assert (tmp_path / "sweep" / "summary.json").exists()


def test_a_truncated_checkpoint_is_named_and_the_run_restarts_from_scratch(tmp_path):
    command = [*RUN, "trainer.max_epochs=2", "hydra.run.dir=run"]
    code, out = finish(start(tmp_path, *command))
    assert code == 0, out[-3000:]
    record_path = tmp_path / "run" / "record.json"
    # as a run killed in its last epoch leaves it
    write_record(record_path, RunRecord.load(record_path).replace(status="interrupted"))
    last = tmp_path / "run" / "checkpoints" / "last.ckpt"
    last.write_bytes(last.read_bytes()[:1000])
    code, out = finish(start(tmp_path, *command, "resume=true"))
    assert code == 0, out[-3000:]
    said = " ".join(out.split())
    assert f"the checkpoint {last} does not load" in said and "restarts from scratch" in said
    rerun = RunRecord.load(record_path)
    assert rerun.status == "completed" and rerun.resumed_from is None
    assert [row["epoch"] for row in rerun.history] == [1, 2]
    assert "restarted from scratch" in rerun.resume_notes[0]


def test_resume_into_a_folder_of_another_experiment_is_refused(tmp_path):
    tiny = ["data=synthetic", "data.train_size=64", "data.val_size=32", "logger=csv"]
    tiny += ["callbacks=none", "trainer.max_epochs=1", "seed=0", "hydra.sweep.dir=sweep"]
    code, out = finish(start(tmp_path, "experiment=pooling", *tiny))
    assert code == 0, out[-3000:]
    records = sorted((tmp_path / "sweep").rglob("record.json"))
    before = [p.read_bytes() for p in records]
    code, out = finish(start(tmp_path, "experiment=dropout", *tiny, "resume=true"))
    assert code == 2
    said = " ".join(out.split())
    assert "holds a sweep of experiment=pooling" in said and "experiment=dropout" in said
    assert [p.read_bytes() for p in records] == before  # nothing of the old sweep touched


def test_sigterm_mid_sweep_keeps_the_finished_runs_report_and_resume_finishes_the_rest(tmp_path):
    command = ["-m", "pooling=overlap,nonoverlap", "model=alexnet_cifar", "data=synthetic"]
    # one batch per epoch of the AlexNet for 32x32 images: seconds per epoch on a CPU, long
    # enough for the SIGTERM to land mid-job
    command += ["data.train_size=128", "data.val_size=64", "trainer.max_epochs=4"]
    command += ["logger=csv", "callbacks=none", "hydra.sweep.dir=sweep"]
    proc = start(tmp_path, *command)
    wait_for_epochs(tmp_path / "sweep" / "1" / "record.json", 1, timeout=900)
    # Lightning writes checkpoints after the other epoch-end callbacks, the record among them
    wait_for_file(tmp_path / "sweep" / "1" / "checkpoints" / "last.ckpt")
    proc.send_signal(signal.SIGTERM)
    code, out = finish(proc)
    assert code == 143, out[-3000:]
    sweep = tmp_path / "sweep"
    statuses = [load_record(sweep / j).status for j in "01"]
    assert statuses == ["completed", "interrupted"]
    summary = json.loads((sweep / "summary.json").read_text())  # the report still came
    assert {a["arm"]: a["statuses"] for a in summary["settings"][0]["arms"]} == {
        "overlap": {"completed": 1},
        "nonoverlap": {"interrupted": 1},
    }
    said = " ".join(out.split())
    assert f"resume=true hydra.sweep.dir={sweep}" in said
    finished = (sweep / "0" / "record.json").read_bytes()
    code, out = finish(start(tmp_path, *command, "resume=true"))
    assert code == 0, out[-3000:]
    assert (sweep / "0" / "record.json").read_bytes() == finished  # not trained again
    resumed = load_record(sweep / "1")
    assert resumed.status == "completed" and resumed.resumed_from, resumed.resume_notes
    assert [row["epoch"] for row in resumed.history] == [1, 2, 3, 4]


def test_a_resume_with_a_reordered_grid_is_refused_before_any_job_touches_the_folder(tmp_path):
    code, out = finish(sweep(tmp_path, "trainer.max_epochs=1"))
    assert code == 0, out[-3000:]
    folder = tmp_path / "sweep"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    code, out = finish(
        start(
            tmp_path, "-m", "pooling=nonoverlap,overlap", *RUN, "hydra.sweep.dir=sweep",
            "trainer.max_epochs=1", "resume=true",
        )
    )  # fmt: skip
    assert code == 2, out[-3000:]
    said = " ".join(out.split())
    assert "cannot resume" in said and "pooling=overlap" in said and "Traceback" not in out
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before  # not even a job's .hydra/config.yaml was rewritten
