"""Under DDP the logged running training error is the global one, over every process's batches."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.records import load_record

pytestmark = pytest.mark.slow
# lr 0 and no dropout: the weights never change, so an epoch's running training error is the
# error of the initial net over the whole training set, however the batches are split.
FIXED = [
    "data=synthetic",
    "data.train_size=256",
    "data.val_size=64",
    "data.noise=0.9",
    "optim=constant",
    "optim.lr=0",
    "trainer.max_epochs=1",
    "init=torch",
    "logger=csv",
    "callbacks=none",
    "trainer.enable_progress_bar=false",
]


def run_record(run_cli, tmp_path, folder, *extra):
    result = run_cli(*FIXED, *extra, f"hydra.run.dir={folder}")
    assert result.returncode == 0, result.stderr[-3000:]
    return load_record(tmp_path / folder)


def test_two_process_running_error_equals_one_process_on_the_same_global_batches(run_cli, tmp_path):
    single = run_record(run_cli, tmp_path, "single", "data.batch_size=128")
    ddp = run_record(
        run_cli,
        tmp_path,
        "ddp",
        "trainer=ddp",
        "trainer.devices=2",
        "trainer.accelerator=cpu",
        "data.batch_size=64",  # per process: the same global batch of 128
    )
    one, two = single.history[0]["train_error"], ddp.history[0]["train_error"]
    assert 0.3 < one < 0.95  # an untrained net: neither trivially 0 nor exactly chance
    assert two == pytest.approx(one, abs=1e-6)
    assert ddp.history[0]["val_error"] == pytest.approx(single.history[0]["val_error"])
    assert ddp.config["trainer"]["strategy"] == "ddp"
    # the report compares runs by the batch a step averages over, not by the process layout
    assert single.settings["global_batch_size"] == ddp.settings["global_batch_size"] == 128
    assert len(list((tmp_path / "ddp").rglob("record.json"))) == 1


def test_torchrun_runs_one_job_in_two_processes_with_one_record(tmp_path):
    """torchrun (like SLURM's srun) starts every process with the whole command."""
    torchrun = shutil.which("torchrun")
    assert torchrun, "torchrun comes with torch"
    command = [torchrun, "--nproc_per_node=2", "-m", "alexnet_lab", "trainer=ddp"]
    command += ["trainer.devices=2", "trainer.accelerator=cpu", *FIXED, "hydra.run.dir=run"]
    env = {**os.environ, "WANDB_MODE": "offline", "COLUMNS": "200"}
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    record = load_record(tmp_path / "run")
    assert record.status == "completed" and record.config["trainer"]["strategy"] == "ddp"
    assert result.stdout.count(" | completed | ") == 1  # one process printed the run's line
    # a sweep inside one torchrun launch is refused with the way to do it
    sweep = subprocess.run([*command[:4], "-m", "seed=0,1", *command[4:-1]], cwd=tmp_path,
                           env=env, capture_output=True, text=True)  # fmt: skip
    assert sweep.returncode != 0 and "one run per launch" in sweep.stderr


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def test_a_killed_rank_fails_its_job_and_the_sweep_goes_on(run_cli, tmp_path):
    pids = tmp_path / "pids"
    result = run_cli(
        "-m",
        *FIXED,
        "trainer.max_epochs=2",
        "trainer=ddp",
        "trainer.devices=2",
        "trainer.accelerator=cpu",
        "data.batch_size=64",
        "+callbacks.kill._target_=tests.ddp_kill.KillRank",
        "+callbacks.kill.rank=1,-1",  # job 0: rank 1 SIGKILLs itself after a step; job 1: none
        f"+callbacks.kill.pid_dir={pids}",
        "hydra.sweep.dir=sweep",
    )
    assert result.returncode == 1, result.stderr[-3000:]
    sweep = tmp_path / "sweep"
    killed, fine = (load_record(sweep / j) for j in "01")
    assert killed.status == "failed"
    assert re.match(r"DDP rank 1 \(pid \d+\) died with SIGKILL", killed.error), killed.error
    assert fine.status == "completed"
    assert (sweep / "report.md").is_file()
    ranks = {p.name: p.read_text() for p in pids.iterdir()}
    assert any(job.endswith("/0") for job in ranks.values())  # job 0's rank 1 wrote its pid
    assert not [name for name in ranks if _alive(int(name.split("-")[1]))]
