"""The sequential and stacked launchers' overall progress: done/total and a time left in
epochs (it holds when fast jobs end first); nothing when piped or under the parallel one."""

import io

from hydra.core.utils import JobReturn
from omegaconf import OmegaConf
from rich.console import Console

from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.sweep.progress import BASIC_SWEEPER, SweepProgressCallback

BASIC = "hydra._internal.core_plugins.basic_launcher.BasicLauncher"


def sweep_config(tmp_path, launcher=BASIC):
    return OmegaConf.create({"hydra": {
        "sweeper": {"_target_": BASIC_SWEEPER, "params": {"activation": "relu,tanh"}},
        "overrides": {"task": ["seed=0,1,2,3"]},
        "sweep": {"dir": str(tmp_path), "subdir": "${hydra.job.num}"},
        "launcher": {"_target_": launcher},
    }})  # fmt: skip


def finished(epochs):
    record = RunRecord(history=[{"epoch": e} for e in range(1, epochs + 1)])
    return JobReturn(_return_value=record), OmegaConf.create({"trainer": {"max_epochs": 10}})


def callback(terminal=True):
    out = io.StringIO()
    progress = SweepProgressCallback()
    progress.console = Console(file=out, force_terminal=terminal, width=200)
    now = [0.0]
    progress.clock = lambda: now[0]
    return progress, out, now


def test_a_line_per_job_with_a_time_left_that_holds_when_fast_jobs_end_first(tmp_path):
    progress, out, now = callback()
    progress.on_multirun_start(sweep_config(tmp_path))
    assert progress.total == 8  # 2 activations x 4 seeds
    for _ in range(4):  # four jobs that diverged after one epoch, 10 s each
        now[0] += 10.0
        progress.on_job_end(*reversed(finished(1)))
    now[0] += 100.0  # a job that trained its 10 epochs
    progress.on_job_end(*reversed(finished(10)))
    lines = out.getvalue().splitlines()
    assert len(lines) == 5 and lines[0] == "done 1/8, about 11m40s left"
    # 14 epochs in 140 s: 3 jobs x 10 epochs left, 300 s; counting jobs would say 1m24s
    assert lines[-1] == "done 5/8, about 5m00s left"


def test_nothing_when_piped_or_under_the_parallel_launcher(tmp_path):
    piped, out, _ = callback(terminal=False)
    piped.on_multirun_start(sweep_config(tmp_path))
    piped.on_job_end(*reversed(finished(3)))
    parallel, out2, _ = callback()
    parallel.on_multirun_start(sweep_config(tmp_path, "alexnet_lab.parallel.conf.Launcher"))
    parallel.on_job_end(*reversed(finished(3)))
    assert out.getvalue() == out2.getvalue() == ""
