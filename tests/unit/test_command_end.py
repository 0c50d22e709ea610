"""A command's ending is a value: jobs return a RunEnd, one callback raises one CommandEnd.

In-process, in ``tmp_path``: the RunEnd -> exit status mapping, the sweep's callback that
ends the command once, a parallel worker's ending sent as a value, and the only places left
that call ``sys.exit`` (the console scripts' entry points).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from hydra.core.utils import JobReturn, JobStatus
from omegaconf import OmegaConf

from alexnet_lab.errors import CommandEnd
from alexnet_lab.record.files import RunRecord
from alexnet_lab.run.end import KINDS, RunEnd, end_of, ended, record_of

ROOT = Path(__file__).resolve().parents[2]
#: the console scripts' entry points: the only modules that may turn an ending into an exit
ENTRY_POINTS = {
    "alexnet_lab/cli.py",
    "alexnet_lab/results/report.py",
    "alexnet_lab/sweep/wandb_sweep_files.py",
}


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def test_sys_exit_is_called_only_at_the_console_scripts_entry_points():
    calls = {}
    for folder in ("alexnet_lab", "hydra_plugins"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            found = len(re.findall(r"sys\.exit\(", path.read_text(encoding="utf-8")))
            if found:
                calls[path.relative_to(ROOT).as_posix()] = found
    assert sum(calls.values()) <= 4, calls
    assert set(calls) <= ENTRY_POINTS, calls


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("completed", 0),
        ("refused", 2),
        ("diverged", 3),
        ("failed", 1),
        ("disk_full", 1),
        ("interrupted", 130),
    ],
)
def test_a_single_runs_ending_gives_the_documented_exit_status(kind, status):
    end = RunEnd(kind, title="t", paragraph="p", stops=kind != "completed")
    assert end.exit_status == status
    command_end = end.command_end()
    assert isinstance(command_end, SystemExit) and command_end.code == status
    assert (command_end.title, command_end.paragraph) == ("t", "p")


def test_an_interrupt_exits_with_its_signal_and_a_sweeps_failures_with_1():
    assert RunEnd("interrupted", signal_status=143).exit_status == 143
    assert RunEnd("interrupted").exit_status == 130
    assert RunEnd("diverged", multirun=True).exit_status == 1
    assert RunEnd("failed", multirun=True).exit_status == 1
    assert RunEnd("refused", multirun=True).exit_status == 2
    assert RunEnd("failed", said=True, paragraph="p").command_end().paragraph == ""  # said once
    assert set(KINDS) == {"completed", "refused", "diverged", "failed", "interrupted", "disk_full"}
    with pytest.raises(ValueError, match="not a kind of ending"):
        RunEnd("crashed")  # type: ignore[arg-type]


def test_a_returned_end_carries_its_record_and_a_records_status_its_kind():
    record = RunRecord(status="interrupted")
    end = ended(record)
    assert end.kind == "interrupted" and not end.stops and end.said
    assert record_of(end) is record and record_of(record) is record
    assert end_of(end) is end and end_of(record) is None
    assert ended(RunRecord(status="running")).kind == "failed"


def returned(end: RunEnd) -> JobReturn:
    return JobReturn(overrides=["seed=1"], status=JobStatus.COMPLETED, _return_value=end)


@pytest.mark.parametrize(("kind", "status"), [("diverged", 3), ("refused", 2), ("disk_full", 1)])
def test_the_callback_ends_a_single_run_with_its_status_and_paragraph(tmp_path, kind, status):
    from alexnet_lab.sweep.hydra_callbacks import SweepReportCallback

    end = RunEnd(kind, RunRecord(), "why", "the paragraph", stops=True, folder=str(tmp_path))
    with pytest.raises(CommandEnd) as stopped:
        SweepReportCallback().on_job_end(OmegaConf.create({}), returned(end))
    assert stopped.value.code == status and stopped.value.paragraph == "the paragraph"
    assert not (tmp_path / "summary.json").exists()  # a single run writes no sweep report


def test_a_completed_run_or_a_job_the_sweep_goes_past_ends_nothing(tmp_path):
    from alexnet_lab.sweep.hydra_callbacks import SweepReportCallback

    callback = SweepReportCallback()
    callback.on_job_end(OmegaConf.create({}), returned(RunEnd("completed", RunRecord())))
    failed = RunEnd("failed", RunRecord(status="failed", error="boom"), multirun=True, said=True)
    callback.on_job_end(OmegaConf.create({}), returned(failed))
    assert [end.kind for end in callback.ends] == ["completed", "failed"]
    assert len(callback.failed) == 1 and "boom" in callback.failed[0]


def test_an_interrupted_sweep_job_writes_the_report_once_then_names_the_resume(
    tmp_path, monkeypatch, capsys
):
    from alexnet_lab.console import say_end
    from alexnet_lab.results import sweep_report
    from alexnet_lab.run import outcome
    from alexnet_lab.run.context import JobContext
    from alexnet_lab.sweep.hydra_callbacks import SweepReportCallback

    written: list[Path] = []
    monkeypatch.setattr(sweep_report, "write_sweep_report", lambda folder: written.append(folder))
    monkeypatch.setattr(sys, "argv", ["alexnet-lab", "-m", "seed=1,2"])
    sweep = tmp_path / "sweep"
    (sweep / "0").mkdir(parents=True)
    context = JobContext(sweep_dir=sweep, multirun=True)
    end = outcome.settle(None, RunRecord(status="interrupted"), context, sweep / "0")
    assert end.kind == "interrupted" and end.stops and written == []  # the job writes none
    with pytest.raises(CommandEnd) as stopped:
        SweepReportCallback().on_job_end(OmegaConf.create({}), returned(end))
    assert written == [sweep] and stopped.value.code == 130
    assert say_end(stopped.value) == 130
    err = flat(capsys.readouterr().err)
    unwrapped = "".join(err.split())  # the panel wraps a long folder name anywhere
    assert (
        "interrupted" in err and "".join(f"the run in {sweep / '0'} stopped".split()) in unwrapped
    )
    assert "Resume with: alexnet-lab -m seed=1,2" in err and "resume=true" in err
    assert err.count("Resume with") == 1


def test_the_cli_turns_a_command_end_into_its_exit_status_and_says_it_once(monkeypatch, capsys):
    from alexnet_lab import cli

    def diverged() -> None:
        raise CommandEnd(3, "diverged", "the training loss became nan")

    monkeypatch.setattr(cli, "start", diverged)
    monkeypatch.setattr(cli.signals, "install", lambda: None)
    monkeypatch.setattr(sys, "argv", ["alexnet-lab", "data=synthetic"])
    assert cli.command() == 3
    err = flat(capsys.readouterr().err)
    assert err.count("the training loss became nan") == 1 and "diverged" in err
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 3
    monkeypatch.setattr(cli, "start", lambda: None)
    cli.main()  # a command that ends well returns: exit status 0


def test_a_worker_sends_its_jobs_ending_as_a_value_not_its_log(tmp_path, capsys):
    from alexnet_lab.parallel.pool import Hooks, Pool
    from alexnet_lab.parallel.worker import Relay

    sent: list[tuple] = []
    relay = Relay(SimpleNamespace(send=sent.append))  # type: ignore[arg-type]
    refused = RunEnd("refused", RunRecord(), "cannot run", "the data is missing", stops=True)
    config = OmegaConf.create({"hydra": {"job": {"num": 4}}})
    with pytest.raises(CommandEnd) as stopped:
        relay.on_job_end(config, returned(refused))
    assert sent == [] and stopped.value.code == 2  # settled by the worker's exit message
    assert stopped.value.paragraph == "the data is missing"

    notes: list[str] = []
    progress = SimpleNamespace(tick=lambda: None, note=notes.append)
    hooks = Hooks(lambda c: None, lambda c, r: None, lambda c, r: None)
    pool = Pool([], lambda log: None, tmp_path, hooks, progress)  # type: ignore[arg-type]
    worker = SimpleNamespace(unit=None, closing=False)
    pool.workers = [worker]  # type: ignore[list-item]
    pool._handle(worker, ("exit", 0, 2, "cannot run", "the data is missing"))  # type: ignore
    assert pool.stop is not None and pool.stop.code == 2 and worker.closing
    assert "the data is missing" in flat(capsys.readouterr().err)
    assert not list(tmp_path.iterdir())  # no worker log was read (none exists)
