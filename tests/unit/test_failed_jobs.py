"""A sweep's failed jobs are read from the jobs' returns by its report callback, which exits 1."""

import pytest
from hydra.core.utils import JobReturn, JobStatus
from omegaconf import OmegaConf

from alexnet_lab.console import say_end
from alexnet_lab.errors import CommandEnd
from alexnet_lab.run.failures import failure_note
from alexnet_lab.run.session import RunSession
from alexnet_lab.sweep.hydra_callbacks import SweepReportCallback
from tests.records import a_record


def returned(value, status=JobStatus.COMPLETED, overrides=("seed=0",)):
    return JobReturn(overrides=list(overrides), status=status, _return_value=value)


def record(status, error=None, overrides=("activation=tanh", "seed=1")):
    return a_record(status=status, error=error, overrides=list(overrides))


def test_a_failed_or_interrupted_record_or_a_raised_job_is_a_failure_and_nothing_else_is():
    assert failure_note(returned(record("failed", "OSError: gone"))) == (
        "activation=tanh seed=1 -> OSError: gone"
    )
    assert failure_note(returned(record("interrupted"))) == "activation=tanh seed=1 -> interrupted"
    assert failure_note(returned(ValueError("boom"), JobStatus.FAILED)) == (
        "seed=0 -> ValueError: boom"
    )
    for status in ("completed", "diverged"):  # a diverged run is a result, not a failure
        assert failure_note(returned(record(status))) is None
    long = failure_note(returned(record("failed", "x" * 500)))
    assert long is not None and len(long) < 250 and long.endswith("...")


def test_the_report_callback_names_the_failed_jobs_after_the_report_and_exits_1(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    done = record("completed", overrides=("seed=0",))
    failed = record("failed", "RuntimeError: out of memory", overrides=("seed=1",))
    for name, run in (("0", done), ("1", failed)):
        RunSession(run, sweep / name).save()
    callback = SweepReportCallback()
    config = OmegaConf.create({"hydra": {"sweep": {"dir": str(sweep)}}})
    for run in (done, failed):
        callback.on_job_end(config, returned(run))
    with pytest.raises(CommandEnd) as stop:
        callback.on_multirun_end(config)
    say_end(stop.value)  # what the command's entry point prints
    assert stop.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "1 job(s) failed" in err and "seed=1 -> RuntimeError: out of memory" in err
    assert "seed=0 ->" not in err
    assert (sweep / "summary.json").is_file()  # the report came first


def test_a_sweep_without_failures_ends_quietly(tmp_path):
    sweep = tmp_path / "sweep"
    RunSession(record("completed"), sweep / "0").save()
    callback = SweepReportCallback()
    config = OmegaConf.create({"hydra": {"sweep": {"dir": str(sweep)}}})
    callback.on_job_end(config, returned(record("completed")))
    callback.on_multirun_end(config)  # no SystemExit
    assert callback.failed == []
