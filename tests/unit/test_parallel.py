"""hydra/launcher=parallel's pure parts: devices per worker, the queue's units, dead jobs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf

from alexnet_lab.console import duration, say_end
from alexnet_lab.errors import CommandEnd
from alexnet_lab.parallel import devices
from alexnet_lab.parallel.devices import Slot, assign, default_workers, worker_env
from alexnet_lab.parallel.progress import Progress, epochs_done
from alexnet_lab.parallel.units import fail_dead_job, is_ddp, make_units, stopped_job
from alexnet_lab.run.roles import GPU_SHARING_ENV
from tests.records import load_record

FOUR_GPUS = ["0", "1", "2", "3"]


def test_four_workers_on_four_gpus_each_see_only_their_own():
    slots = assign(4, FOUR_GPUS, range(16))
    envs = [worker_env(slot, {"CUDA_VISIBLE_DEVICES": "0,1,2,3", "PATH": "/bin"}) for slot in slots]
    assert [env["CUDA_VISIBLE_DEVICES"] for env in envs] == FOUR_GPUS
    assert all(env["PATH"] == "/bin" and env[devices.WORKER_ENV] for env in envs)
    # each also bounded to a quarter of the cores, disjoint
    assert [env["OMP_NUM_THREADS"] for env in envs] == ["4"] * 4
    assert [slot.cores for slot in slots] == [tuple(range(i, i + 4)) for i in (0, 4, 8, 12)]
    assert [slot.label for slot in slots] == ["w0 gpu0", "w1 gpu1", "w2 gpu2", "w3 gpu3"]


def test_gpu_ids_come_from_the_parents_visible_list_and_wrap_when_workers_outnumber_them():
    slots = assign(4, ["5", "7"], range(4))
    assert [s.gpu for s in slots] == ["5", "7", "5", "7"]


def test_workers_sharing_a_gpu_each_size_their_stack_from_their_share_of_its_memory(monkeypatch):
    from alexnet_lab.engines.stacked.stack import max_members

    slots = assign(5, ["0", "1"], range(8))  # gpu0: workers 0, 2, 4; gpu1: workers 1, 3
    assert [s.sharing for s in slots] == [3, 2, 3, 2, 3]
    envs = [worker_env(slot, {}) for slot in slots]
    assert [env[GPU_SHARING_ENV] for env in envs] == ["3", "2", "3", "2", "3"]
    assert {s.sharing for s in assign(2, [], range(4))} == {1}  # CPU workers share no GPU

    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (60 * 2**30, 80 * 2**30))
    cuda = torch.device("cuda")
    alone = max_members(None, cuda, 2**30, 8)
    assert alone == 48  # 80% of 60 GiB, 1 GiB each
    monkeypatch.setenv(GPU_SHARING_ENV, "3")
    assert max_members(None, cuda, 2**30, 8) == 16
    assert max_members(5, cuda, 2**30, 8) == 5  # asked for: as asked


def test_visible_gpus_follow_cuda_visible_devices(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    assert devices.visible_gpus({}, driver=True) == FOUR_GPUS
    visible = {"CUDA_VISIBLE_DEVICES": "4,5,6,7"}
    assert devices.visible_gpus(visible, driver=True) == ["4", "5", "6", "7"]
    assert devices.visible_gpus({}, driver=False) == []  # no driver: no GPU, torch not asked
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert devices.visible_gpus({}, driver=True) == []


def test_without_a_gpu_driver_the_launcher_counts_no_gpus_without_loading_torch():
    code = (
        "import sys; from alexnet_lab.parallel import devices; "
        "print(devices.visible_gpus({}, driver=False), 'torch' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["[]", "False"], out.stderr[-2000:]


def test_cpu_workers_split_the_cores_and_hide_every_gpu():
    slots = assign(2, [], [0, 1, 2, 3])
    assert [s.cores for s in slots] == [(0, 1), (2, 3)]
    env = worker_env(slots[1], {})
    assert env["CUDA_VISIBLE_DEVICES"] == "" and env["OMP_NUM_THREADS"] == "2"
    assert env["MKL_NUM_THREADS"] == "2"
    assert [s.cores for s in assign(3, [], [0, 1])] == [(0,), (1,), (0,)]
    assert slots[0].label == "w0 cpu 0-1"


def test_workers_default_to_the_gpus_or_the_cpu_setting():
    assert default_workers(FOUR_GPUS, 2) == 4
    assert default_workers([], 2) == 2
    with pytest.raises(ValueError):
        assign(0, [], [0])


def test_pinning_sets_torchs_threads(monkeypatch):
    before = torch.get_num_threads()
    pinned = {}
    monkeypatch.setattr(devices.os, "sched_setaffinity", lambda pid, cores: pinned.update(c=cores))
    try:
        devices.pin_this_process(Slot(0, None, (0,)))
        assert torch.get_num_threads() == 1 and pinned["c"] == {0}
    finally:
        torch.set_num_threads(before)


def jobs(*overrides: str) -> list[tuple[int, list[str]]]:
    return [(i, o.split()) for i, o in enumerate(overrides)]


def test_units_are_single_jobs_in_job_order_without_stacking():
    units = make_units(jobs("seed=0", "seed=1", "activation=tanh seed=0"), 2, stack=False)
    assert [[n for n, _ in u.jobs] for u in units] == [[0], [1], [2]]
    assert not any(u.stack for u in units)


def test_stack_units_spread_a_group_over_the_workers_largest_first():
    sweep = jobs(*(f"activation=relu seed={s}" for s in range(6)), "activation=tanh seed=0")
    units = make_units(sweep, 2, stack=True)  # 7 jobs over 2 workers: slices of at most 4
    assert [[n for n, _ in u.jobs] for u in units] == [[0, 1, 2, 3], [4, 5], [6]]
    assert [u.stack for u in units] == [True, True, False]


@pytest.mark.parametrize(
    ("trainer", "ddp"),
    [
        ({"devices": 1, "strategy": "auto"}, False),
        ({"devices": "auto"}, False),
        ({"devices": 2}, True),
        ({"devices": [0, 1]}, True),
        ({"devices": 1, "strategy": "ddp_spawn"}, True),
        ({"devices": 1, "num_nodes": 2}, True),
    ],
)
def test_ddp_jobs_are_told_apart(trainer, ddp):
    assert is_ddp(trainer) is ddp


def job_config(tmp_path):
    return OmegaConf.create(
        {
            "hydra": {
                "overrides": {"task": ["seed=1", "optim.lr=0.1"]},
                "runtime": {"choices": {"model": "convnet4", "hydra/launcher": "parallel"}},
            }
        }
    )


def test_a_dead_workers_job_keeps_its_history_and_is_failed(tmp_path):
    record = {"status": "running", "overrides": ["seed=1"], "history": [{"epoch": 1}]}
    (tmp_path / "record.json").write_text(json.dumps(record))
    failed = fail_dead_job(tmp_path, job_config(tmp_path), "its worker died")
    saved = load_record(tmp_path)
    assert saved.status == failed.status == "failed" and saved.error == "its worker died"
    assert saved.history == [{"epoch": 1}] and epochs_done(tmp_path) == 1


def test_a_dead_workers_job_without_a_record_gets_one(tmp_path):
    folder = tmp_path / "3"
    fail_dead_job(folder, job_config(tmp_path), "its worker died")
    saved = load_record(folder)
    assert saved.status == "failed" and saved.overrides == ["seed=1", "optim.lr=0.1"]
    assert saved.choices == {"model": "convnet4"} and epochs_done(folder) == 0


def test_progress_says_done_of_total_and_the_time_left(capsys):
    from rich.console import Console

    progress = Progress(Console(width=200), 4, ["w0 cpu 0"], live=False)
    assert progress.summary() == "done 0/4"
    progress.job_ended("w0 cpu 0", 0, failed=True)
    assert progress.summary().startswith("done 1/4 (1 failed), about ")
    assert duration(3725, sep="") == "1h02m" and duration(65, sep="") == "1m05s"
    assert duration(3725) == "1h 02m" and duration(9) == "9s"


def test_the_launcher_composes_and_takes_its_worker_count():
    from hydra import compose, initialize_config_dir

    from alexnet_lab.cli import CONFIG_DIR

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose(
            "config",
            overrides=["hydra/launcher=parallel", "hydra.launcher.workers=3"],
            return_hydra_config=True,
        )
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("parallel_launcher.ParallelLauncher")
    assert launcher.workers == 3 and launcher.cpu_workers == 2 and launcher.stack == "cuda"


@pytest.mark.parametrize("options", [{"stack": "sometimes"}, {"workers": 0}])
def test_a_bad_launcher_option_is_one_paragraph_and_exit_2(options, capsys):
    from hydra_plugins.alexnet_lab_parallel_launcher.parallel_launcher import ParallelLauncher

    with pytest.raises(CommandEnd) as exit_:
        ParallelLauncher(**options)
    say_end(exit_.value)  # what the command's entry point prints
    assert exit_.value.code == 2 and "bad value" in capsys.readouterr().err


def test_a_jobs_line_names_what_sets_it_apart_and_its_epochs(tmp_path, capsys):
    from rich.console import Console

    progress = Progress(Console(width=200), 2, ["w0 cpu 0"], False, frozenset({"data=synthetic"}))
    progress.job_started("w0 cpu 0", 1, ["data=synthetic", "seed=1"], tmp_path, 3)
    (tmp_path / "record.json").write_text(json.dumps({"history": [{"epoch": 1}]}))
    progress.tick()
    out = capsys.readouterr().out
    assert "[w0 cpu 0] #1 started: seed=1\n" in out and "[w0 cpu 0] #1 epoch 1/3" in out


def test_a_jobs_last_epoch_is_shown_even_when_it_ends_between_two_reads(tmp_path, capsys):
    from rich.console import Console

    progress = Progress(Console(width=200), 1, ["w0 cpu 0"], live=False)
    progress.job_started("w0 cpu 0", 0, ["seed=0"], tmp_path, 2)
    (tmp_path / "record.json").write_text(json.dumps({"history": [{}, {}]}))
    progress.job_ended("w0 cpu 0", 0, failed=False)
    assert "[w0 cpu 0] #0 epoch 2/2\ndone 1/1" in capsys.readouterr().out


def test_a_job_whose_worker_was_stopped_counts_as_interrupted_unless_it_finished(tmp_path):
    from alexnet_lab.record.files import RunRecord
    from alexnet_lab.run.session import RunSession

    fresh = stopped_job(tmp_path / "none", job_config(tmp_path), "its worker was stopped")
    assert (fresh.status, fresh.error) == ("interrupted", "its worker was stopped")
    running = RunRecord(status="running", history=[{"epoch": 1, "train_error": 0.5}])
    RunSession(running, tmp_path / "running").save()
    cut = stopped_job(tmp_path / "running", job_config(tmp_path), "stopped")
    assert cut.status == "interrupted" and len(cut.history) == 1  # its epochs kept
    RunSession(RunRecord(status="completed"), tmp_path / "done").save()
    assert stopped_job(tmp_path / "done", job_config(tmp_path), "stopped").status == "completed"
