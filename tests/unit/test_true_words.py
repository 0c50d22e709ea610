"""Messages that say what is true: a reused PID, Lightning's logging-interval warning, ..."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import asdict

import pytest

from alexnet_lab.folders import lock as sweep_lock
from alexnet_lab.folders.lock import LOCK_NAME, FolderLocked, LockOwner
from alexnet_lab.record.files import write_record


def test_a_lock_whose_pid_is_now_another_program_does_not_claim_alexnet_lab(tmp_path):
    other = subprocess.Popen(["sleep", "60"])
    try:
        while sweep_lock.process_command(other.pid) != "sleep 60":  # until it has started
            time.sleep(0.01)
        holder = LockOwner(
            socket.gethostname(), other.pid, "2026-01-01T00:00:00+00:00", "alexnet-lab -m seed=1"
        )
        (tmp_path / LOCK_NAME).write_text(json.dumps(asdict(holder)))
        with pytest.raises(FolderLocked) as caught:
            sweep_lock.acquire(tmp_path)
    finally:
        other.kill()
        other.wait()
    message = str(caught.value)
    assert "that PID now belongs to another program (sleep 60)" in message
    assert f"delete {tmp_path.resolve() / LOCK_NAME}" in message
    assert "is in use by process" not in message


def test_a_process_command_line_is_read_from_proc():
    assert sweep_lock.process_command(0) is None
    me = sweep_lock.process_command(os.getpid())
    assert me is not None and me.split()[0] == sys.executable  # this Python, running pytest


def test_lightnings_logging_interval_warning_is_silenced_at_the_cli_start(monkeypatch):
    from lightning_fabric.utilities.warnings import PossibleUserWarning
    from pytorch_lightning.utilities import rank_zero_warn

    from alexnet_lab.quiet import quiet_terminal

    monkeypatch.setenv("WANDB_SILENT", "true")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        quiet_terminal()
        rank_zero_warn(
            "The number of training batches (2) is smaller than the logging interval "
            "Trainer(log_every_n_steps=10). Set a lower value for log_every_n_steps if you "
            "want to see logs for the training epoch.",
            category=PossibleUserWarning,
        )
        # what every resume=true meets (the second: a run folder moved since it was interrupted)
        rank_zero_warn("Checkpoint directory /r/0/checkpoints exists and is not empty.")
        rank_zero_warn(
            "The dirpath has changed from '/old/0/checkpoints' to '/r/0/checkpoints', therefore "
            "`best_model_score`, `kth_best_model_path`, `kth_value`, `last_model_path` and "
            "`best_k_models` won't be reloaded. Only `best_model_path` will be reloaded."
        )
        warnings.warn("another warning", UserWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == ["another warning"]


def _no_constants(name: str):
    raise AssertionError(f"summary.json holds {name}, which is not JSON")


def test_strict_json_writes_null_for_nan_and_infinities():
    from alexnet_lab.record.files import strict_json

    assert strict_json({"a": [float("nan"), float("-inf"), 1.5]}) == (
        '{\n  "a": [\n    null,\n    null,\n    1.5\n  ]\n}'
    )


def test_summary_json_holds_null_where_a_value_is_not_finite(tmp_path):
    from alexnet_lab.results.report import build_report
    from tests.records import curve, make_record

    for i, arm in enumerate(["overlap", "nonoverlap"]):
        record = make_record([f"pooling={arm}"], 0, curve(3), select=())
        record.final["test"]["top1_error"] = float("-inf")  # as a damaged record may say
        folder = tmp_path / str(i)
        folder.mkdir()
        (folder / "record.json").write_text(json.dumps(record.to_dict()))  # -Infinity, Python's way
    summary = build_report(tmp_path, quiet=True)
    on_disk = json.loads((tmp_path / "summary.json").read_text(), parse_constant=_no_constants)
    assert on_disk["arms"] == summary["arms"] == ["overlap", "nonoverlap"]


@pytest.mark.parametrize("epochs", [0, 1])
def test_an_interrupt_names_last_ckpt_only_when_an_epoch_wrote_it(
    tmp_path, capsys, monkeypatch, epochs
):
    from alexnet_lab.console import say_end
    from alexnet_lab.record.files import RunRecord
    from alexnet_lab.run import outcome
    from alexnet_lab.run.checkpoints import last_checkpoint
    from alexnet_lab.run.context import JobContext
    from alexnet_lab.sweep.ending import job_end

    monkeypatch.setattr(sys, "argv", ["alexnet-lab", "data=synthetic"])
    checkpoint = last_checkpoint(tmp_path)
    if epochs:
        checkpoint.parent.mkdir()
        checkpoint.write_bytes(b"weights")
    end = outcome.interrupted(RunRecord(), JobContext(), tmp_path)
    assert end.kind == "interrupted" and end.stops
    command_end = job_end(end)  # the sweep's callback: the resume command, exit 130
    assert command_end.code == 130
    say_end(command_end)  # what the command's entry point prints
    err = " ".join(capsys.readouterr().err.replace("│", " ").split())
    assert ("its last finished epoch is in" in err) == bool(epochs)
    assert ("it finished no epoch, so resuming starts it from the beginning" in err) != bool(epochs)
    assert "Resume with: alexnet-lab data=synthetic resume=true" in err


@pytest.mark.parametrize(
    "args,fix",
    [
        (["optim.lrr=0.1"], "Did you mean optim.lr=0.1?"),
        (["-m", "experiment=relu_vs_tanh", "optim.lrr=0.1,0.2"], "Did you mean optim.lr=0.1,0.2?"),
        (["seedd=3"], "Did you mean seed=3?"),
        (["data=synthetic", "data.noize=0.1"], "Did you mean data.noise=0.1?"),
    ],
)
def test_an_unknown_key_gets_the_closest_key_not_hydras_plus(args, fix):
    from alexnet_lab.cli import CONFIG_DIR
    from alexnet_lab.suggest import unknown_key

    problem = unknown_key(args, CONFIG_DIR)
    assert problem is not None and fix in problem and "Nothing was run" in problem


@pytest.mark.parametrize(
    "args",
    [
        ["-m", "experiment=relu_vs_tanh", "optim.lr=0.1,0.2", "seed=0,1"],
        ["data=synthetic", "data.noise=0.1", "target_error=0.2", "+anything=1"],
        ["--config-dir", "/elsewhere", "mine.key=1"],
        # a mandatory value (data.root: ???) is a key all the same
        ["experiment=tta", "data=imagefolder", "data.root=tree"],
    ],
)
def test_known_keys_added_keys_and_added_config_folders_pass(args):
    from alexnet_lab.cli import CONFIG_DIR
    from alexnet_lab.suggest import unknown_key

    assert unknown_key(args, CONFIG_DIR) is None


@pytest.fixture
def no_network(monkeypatch):
    # a proxy on a closed loopback port makes a download fail at once even with network
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")


@pytest.mark.parametrize("name", ["cifar10", "fashion_mnist", "imagefolder"])
def test_data_root_a_file_says_it_is_a_file(tmp_path, no_network, name):
    from alexnet_lab.data import (
        CIFAR10DataModule,
        FashionMNISTDataModule,
        ImageFolderDataModule,
    )
    from alexnet_lab.errors import DataUnavailableError

    kind = {
        "cifar10": CIFAR10DataModule,
        "fashion_mnist": FashionMNISTDataModule,
        "imagefolder": ImageFolderDataModule,
    }[name]
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataUnavailableError) as caught:
        kind(root=str(tmp_path / "file"), name=name).prepare_data()
    message = str(caught.value)
    assert message.startswith(f"data.root={tmp_path / 'file'} is a file, not a folder.")
    assert "does not exist" not in message


def test_corrupt_cifar10_batch_files_are_named_corrupt(tmp_path, no_network):
    from torchvision.datasets import CIFAR10

    from alexnet_lab.data import CIFAR10DataModule
    from alexnet_lab.errors import DataUnavailableError

    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name, _ in [*CIFAR10.train_list, *CIFAR10.test_list]:
        (folder / name).write_bytes(b"cut short")
    with pytest.raises(DataUnavailableError) as caught:
        CIFAR10DataModule(root=str(tmp_path), name="cifar10").prepare_data()
    message = str(caught.value)
    assert message.startswith("CIFAR-10's batch file(s) data_batch_1, data_batch_2, ")
    assert f"test_batch in {folder} are corrupt" in message and "is not in" not in message


def test_resume_on_a_run_folder_without_runs_says_so(tmp_path):
    from alexnet_lab.run.resume import plan_resume

    with pytest.warns(UserWarning, match=r"resume=true: .*run holds no runs .*hydra\.run\.dir="):
        plan = plan_resume(tmp_path / "run", tmp_path / "run", None, ["seed=0"])
    assert plan.action == "fresh"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a sweep's job without a record yet: normal, silent
        assert plan_resume(tmp_path / "s" / "1", tmp_path / "s", None, ["seed=0"]).action == "fresh"


def test_resume_on_a_sweep_folder_without_runs_says_so(tmp_path):
    from omegaconf import OmegaConf

    from alexnet_lab.run.resume import check_sweep_before_it_starts
    from tests.records import make_record

    def config(folder):
        hydra = {
            "sweep": {"dir": str(folder), "subdir": "${hydra.job.num}"},
            "runtime": {"choices": {}},
            "sweeper": {"_target_": "elsewhere.Sweeper"},
            "overrides": {"task": ["seed=0,1", "resume=true"]},
        }
        return OmegaConf.create({"resume": True, "hydra": hydra})

    (tmp_path / "typo").mkdir()
    with pytest.warns(UserWarning, match=r"typo holds no runs .*hydra\.sweep\.dir="):
        check_sweep_before_it_starts(config(tmp_path / "typo"))
    write_record(tmp_path / "sweep" / "0" / "record.json", make_record(["seed=0"], 0, [0.5]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_sweep_before_it_starts(config(tmp_path / "sweep"))


def test_a_report_taken_while_the_sweep_runs_calls_its_job_running(tmp_path):
    from alexnet_lab.results.report import build_report
    from tests.records import curve, make_record

    for i, arm in enumerate(["overlap", "nonoverlap"]):
        write_record(
            tmp_path / str(i) / "record.json",
            make_record([f"pooling={arm}"], 0, curve(3), select=()),
        )
    running = make_record(
        ["pooling=nonoverlap"], 1, curve(3)[:1], status="running", select=(), max_epochs=10
    )
    write_record(tmp_path / "2" / "record.json", running)
    sweep = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "alexnet-lab"])
    try:
        while "alexnet-lab" not in (sweep_lock.process_command(sweep.pid) or ""):
            time.sleep(0.01)
        holder = LockOwner(
            socket.gethostname(), sweep.pid, "2026-01-01T00:00:00+00:00", "alexnet-lab -m"
        )
        (tmp_path / LOCK_NAME).write_text(json.dumps(asdict(holder)))
        during = build_report(tmp_path, quiet=True)
    finally:
        sweep.kill()
        sweep.wait()
    after = build_report(tmp_path, quiet=True)  # its process is gone: the job was interrupted

    def statuses(summary):
        return summary["settings"][0]["arms"][1]["statuses"]

    assert statuses(during) == {"completed": 1, "running": 1}
    assert statuses(after) == {"completed": 1, "interrupted": 1}


def reported_c3_sweep(root):
    """A two-arm C3 sweep in ``root/sweep`` with its report (summary.json) built."""
    from alexnet_lab.results.report import build_report
    from tests.records import curve, make_record

    sweep = root / "sweep"
    for i, arm in enumerate(["overlap", "nonoverlap"]):
        record = make_record([f"pooling={arm}"], 0, curve(3), select=(), claim="C3")
        write_record(sweep / str(i) / "record.json", record)
    build_report(sweep, quiet=True)
    return sweep


def test_a_truncated_summary_json_is_named_and_rebuilt_not_blamed_on_the_records(tmp_path):
    from alexnet_lab.results.page.paper_report import paper_rows

    sweep = reported_c3_sweep(tmp_path)
    summary = sweep / "summary.json"
    summary.write_text(summary.read_text()[: 4096 // 8])  # cut short, as by a full disk
    with pytest.warns(UserWarning, match=f"{summary} is unreadable .*rebuilt from the sweep's"):
        rows, broken = paper_rows(tmp_path, reuse=True)
    assert broken == [] and [r["claim"] for r in rows] == ["C3"]
    assert json.loads(summary.read_text())["claim"] == "C3"


def test_a_summary_written_by_other_report_code_is_rebuilt_not_reused(tmp_path):
    from alexnet_lab.results.page.paper_report import sweep_summary
    from alexnet_lab.results.sweep_report import report_code

    sweep = reported_c3_sweep(tmp_path)
    summary = sweep / "summary.json"
    written = json.loads(summary.read_text())
    assert written["report_code"] == report_code() and len(report_code()) == 12
    assert sweep_summary(sweep, reuse=True) == written  # this code's own: reused
    stale = {**written, "report_code": "0" * 12, "verdict": {"verdict": "from old rules"}}
    summary.write_text(json.dumps(stale))
    rebuilt = sweep_summary(sweep, reuse=True)
    assert rebuilt["verdict"] == written["verdict"] and rebuilt["report_code"] == report_code()
