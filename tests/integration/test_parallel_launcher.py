"""hydra/launcher=parallel through the real CLI: two CPU workers, the basic launcher's records.

The sweeps are tiny (synthetic data, 200 images, 1-3 epochs). The basic launcher's reference
runs with one torch thread (``OMP_NUM_THREADS=1``), as each of the two workers on two cores
does, so that the per-epoch numbers can be compared exactly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alexnet_lab.record.run_record import RecordError, RunRecord
from tests.records import load_record, load_records

pytestmark = pytest.mark.slow
SWEEP = [
    "-m",
    "data=synthetic",
    "data.train_size=200",
    "data.val_size=100",
    "model=convnet4",
    "norm=none",
    "logger=none",
    "callbacks=none",
    "trainer.enable_progress_bar=false",
]
PARALLEL = ["hydra/launcher=parallel", "hydra.launcher.workers=2"]
#: what differs between two runs of the same job: the clock, and the folder's name
VOLATILE = {"started_at", "finished_at", "output_dir", "record_path", "seconds", "elapsed"}


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "WANDB_MODE": "offline", "PYTHONUNBUFFERED": "1", "COLUMNS": "160"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path.cwd()), env.get("PYTHONPATH")]))
    env.pop("WANDB_API_KEY", None)
    return {**env, **extra}


def cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "alexnet_lab", *args]
    return subprocess.run(
        command, cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=900
    )


def stable(value):
    """A record without its clock times and folder names, for exact comparison."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def files(job: Path) -> set[str]:
    return {p.relative_to(job).as_posix() for p in job.rglob("*") if p.is_file()}


def record(sweep: Path, job: int) -> RunRecord:
    return load_record(sweep / str(job))


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("parallel")
    args = [*SWEEP, "seed=0,1,2", "trainer.max_epochs=2"]
    basic = cli(root, *args, "hydra/launcher=basic", "hydra.sweep.dir=basic", OMP_NUM_THREADS="1")
    assert basic.returncode == 0, basic.stdout[-3000:] + basic.stderr[-3000:]
    parallel = cli(root, *args, *PARALLEL, "hydra.sweep.dir=parallel")
    assert parallel.returncode == 0, parallel.stdout[-3000:] + parallel.stderr[-3000:]
    return root / "basic", root / "parallel", parallel.stdout + parallel.stderr


def test_two_workers_write_the_basic_launchers_records_in_the_same_folders(sweeps):
    basic, parallel, log = sweeps
    assert "Launching 3 jobs in 3 unit(s) on w0 cpu 0, w1 cpu 1" in log
    jobs = sorted(p.name for p in basic.iterdir() if p.is_dir())
    assert jobs == sorted(p.name for p in parallel.iterdir() if p.is_dir() and p.name[0] != ".")
    assert jobs == ["0", "1", "2"]
    for job in jobs:
        assert files(parallel / job) == files(basic / job), job
        for name in ("config.yaml", "overrides.yaml"):
            a = (basic / job / ".hydra" / name).read_text()
            assert (parallel / job / ".hydra" / name).read_text() == a, (job, name)
        a, b = record(basic, int(job)), record(parallel, int(job))
        assert b.status == "completed" and len(b.history) == 2
        # the same per-epoch numbers, to the last digit
        assert stable(b.to_dict()) == stable(a.to_dict()), job
        assert b.machine["torch_threads"] == 1  # its share of the 2 cores


def test_each_job_ends_in_its_line_and_the_sweep_in_its_report(sweeps):
    _, parallel, log = sweeps
    assert log.count("| completed | epochs 2") == 3
    assert "done 3/3" in log and "#2 epoch 2/2" in log
    assert (parallel / "summary.json").exists() and (parallel / "report.md").exists()
    assert not (parallel / ".alexnet-lab.lock").exists()


def test_a_killed_worker_fails_its_job_only_and_the_sweep_finishes_with_a_report(tmp_path):
    kill = ["+callbacks.kill._target_=tests.parallel_kill.KillAtJob", "+callbacks.kill.job=1"]
    args = [*SWEEP, "seed=0,1,2,3", "trainer.max_epochs=1", *kill, *PARALLEL]
    result = cli(tmp_path, *args, "hydra.sweep.dir=sweep")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out[-3000:]
    sweep = tmp_path / "sweep"
    statuses = {job: record(sweep, job).status for job in range(4)}
    assert statuses == {0: "completed", 1: "failed", 2: "completed", 3: "completed"}, out[-3000:]
    assert "died (killed by SIGKILL)" in record(sweep, 1).error
    assert "1 job(s) failed" in out and (sweep / "report.md").exists()


def _completed(sweep: Path) -> int:
    done = 0
    for path in sweep.glob("*/record.json"):
        try:
            done += RunRecord.load(path).status == "completed"
        except RecordError:
            pass
    return done


def test_an_interrupted_sweep_resumes_exactly_its_missing_jobs(tmp_path):
    args = [*SWEEP, "seed=0,1,2,3", "trainer.max_epochs=3", *PARALLEL, "hydra.sweep.dir=cut"]
    command = [sys.executable, "-m", "alexnet_lab", *args]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    proc = subprocess.Popen(command, cwd=tmp_path, env=_env(), text=True, **pipes)
    deadline = time.time() + 600
    while _completed(tmp_path / "cut") < 1 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 130, out[-3000:]
    assert out.count("Resume with:") == 1 and "resume=true" in out
    sweep = tmp_path / "cut"
    before = {Path(r.path).parent.name: r for r in load_records(sweep)}
    finished = {job for job, r in before.items() if r.status == "completed"}
    assert finished and len(finished) < 4, out[-3000:]
    assert {r.status for job, r in before.items() if job not in finished} <= {"interrupted"}
    assert (sweep / "summary.json").exists()  # the report of what finished
    checkpointed = {job for job in before if (sweep / job / "checkpoints/last.ckpt").exists()}

    resumed = cli(tmp_path, *args, "resume=true")
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    for job in range(4):
        after = record(sweep, job)
        assert after.status == "completed" and len(after.history) == 3, job
        if str(job) in finished:  # skipped: its record untouched
            assert after == before[str(job)], job
        elif str(job) in checkpointed:  # interrupted after an epoch: continued from it
            assert after.resumed_from, job


def test_stackable_jobs_train_as_one_stack_per_worker_where_stacking_applies(tmp_path):
    # the GPU default (stack=cuda) forced on the CPU: 4 seeds over 2 workers, a stack of 2 each
    args = [*SWEEP, "seed=0,1,2,3", "trainer.max_epochs=1", *PARALLEL]
    args.append("hydra.launcher.stack=always")
    result = cli(tmp_path, *args, "hydra.sweep.dir=sweep")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert "Launching 4 jobs in 2 unit(s)" in out and out.count("| completed |") == 4
    for job in range(4):
        stacked = record(tmp_path / "sweep", job)
        assert stacked.status == "completed" and stacked.group_size == 2, job
    logs = "".join(p.read_text() for p in (tmp_path / "sweep" / ".parallel").glob("*.log"))
    assert logs.count("stacked 2 jobs on cpu") == 2
