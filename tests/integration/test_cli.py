"""The real CLI (`python -m alexnet_lab`) on synthetic and real Fashion-MNIST data."""

import json
import os

import pytest

from alexnet_lab.record.run_record import RunRecord
from tests.conftest import needs_fashion_mnist
from tests.records import load_records

pytestmark = pytest.mark.slow
TINY = [
    "data=synthetic",
    "data.train_size=256",
    "data.val_size=128",
    "trainer.max_epochs=2",
    "callbacks=none",
    "trainer.enable_progress_bar=false",
]


def run_ok(run_cli, *overrides: str):
    """Run the CLI and require success, showing the end of stderr when it fails."""
    result = run_cli(*overrides)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_relu_vs_tanh_sweeps_itself_and_ends_with_the_comparison(run_cli, tmp_path):
    result = run_ok(
        run_cli,
        "experiment=relu_vs_tanh",
        *TINY,
        "trainer.max_epochs=3",
        "optim.lr=0.001,0.01",
        "seed=0,1",
        "hydra.sweep.dir=sweep",
    )
    sweep = tmp_path / "sweep"
    runs = load_records(sweep)
    assert len(runs) == 8  # 2 activations x 2 lrs x 2 seeds
    assert {r.status for r in runs} <= {"completed", "diverged"}
    for r in runs:
        assert r.claim == "C1" and r.settings["weight_decay"] == 0.0
        assert r.settings["norm"] == "none" and r.settings["schedule"] == "constant"
        if r.status == "completed":
            assert [h["epoch"] for h in r.history] == [1, 2, 3]
            assert 0.0 <= r.history[-1]["train_error"] <= 1.0
    summary = json.loads((sweep / "summary.json").read_text())
    assert summary["claim"] == "C1" and summary["arms"] == ["relu", "tanh"]
    assert summary["arm_key"] == "activation" and summary["select_keys"] == ["optim.lr"]
    (setting,) = summary["settings"]
    assert [a["arm"] for a in setting["arms"]] == ["relu", "tanh"]
    assert all(a["selected"]["optim.lr"] in ("0.001", "0.01") for a in setting["arms"])
    assert summary["verdict"]["verdict"] in ("reproduced", "not reproduced", "inconclusive")
    assert summary["verdict"]["reason"]
    report = (sweep / "report.md").read_text()
    assert "C1: ReLU trains several times faster than tanh" in report
    assert "epochs to 25% train error" in report
    for png in ("training_curves.png", "final_errors.png"):
        assert (sweep / png).read_bytes()[:4] == b"\x89PNG"
    assert "C1: ReLU trains several times faster than tanh" in result.stdout  # the rich table
    # W&B: every job finished its own offline run (none logged into its neighbour's)
    wandb_runs = sorted(sweep.glob("*/wandb/offline-run-*"))
    assert len(wandb_runs) == 8 and len({p.parent.parent for p in wandb_runs}) == 8
    assert all(
        r.wandb["mode"] == "offline" and r.wandb["sync"].startswith("wandb sync ") for r in runs
    )
    assert {r.wandb["group"] for r in runs} == {"relu_vs_tanh-sweep"}
    # ...and the comparison went to one summary run of the same group
    (summary_run,) = (sweep / "wandb").glob("offline-run-*")
    assert b"relu_vs_tanh-sweep" in next(summary_run.glob("run-*.wandb")).read_bytes()
    # every figure of the sweep's report: curves, final errors (speed), lr sensitivity
    assert summary["figures"] == ["training_curves.png", "final_errors.png", "lr_sensitivity.png"]
    assert len(list((summary_run / "files" / "media" / "images").glob("*.png"))) == 3
    assert f"upload with: wandb sync {summary_run.relative_to(tmp_path)}" in result.stdout


def test_a_piped_sweep_prints_one_line_per_job_and_no_library_banners(run_cli, tmp_path):
    tiny = ["data=synthetic", "data.train_size=256", "data.val_size=128", "trainer.max_epochs=1"]
    # the defaults otherwise: W&B (offline), the rich progress bar's callback, no verbose
    result = run_ok(run_cli, "-m", *tiny, "optim.lr=0.01,0.1", "hydra.sweep.dir=sweep")
    lines = (result.stdout + result.stderr).splitlines()
    text = "\n".join(lines)
    for noise in ("GPU available", "litlogger", "LeafSpec", "Seed set to", "it/s"):
        assert noise not in text
    assert not [line for line in lines if line.startswith("wandb:")]
    outcome = [line for line in lines if " | completed | epochs 1 | " in line]
    assert len(outcome) == 2
    # each line names what varies between the jobs, not the overrides they share
    assert outcome[0].startswith("optim.lr=0.01 | ") and "data=synthetic" not in outcome[0]
    assert outcome[1].startswith("optim.lr=0.1 | ") and outcome[1].endswith(" s")
    assert "│ status" not in text
    assert len(lines) <= 30, text  # 2 launch lines, 2 outcome lines, the sweep's table
    verbose = run_ok(run_cli, *tiny, "logger=csv", "verbose=true", "hydra.run.dir=run")
    assert "│ status" in verbose.stdout and "running train error (last epoch)" in verbose.stdout


def test_a_plain_sweep_of_any_group_gets_the_same_comparison(run_cli, tmp_path):
    run_ok(
        run_cli, "-m", "pooling=overlap,nonoverlap", *TINY, "logger=csv", "hydra.sweep.dir=sweep"
    )
    summary = json.loads((tmp_path / "sweep" / "summary.json").read_text())
    assert summary["claim"] == "C3" and summary["arms"] == ["overlap", "nonoverlap"]
    assert summary["verdict"]["verdict"] == "inconclusive"  # one seed per arm
    assert "too few seeds" in summary["verdict"]["reason"]


@needs_fashion_mnist
def test_a_short_real_fashion_mnist_run_learns(run_cli, tmp_path):
    run_ok(
        run_cli,
        "data=fashion_mnist",
        "data.train_size=4000",
        "data.val_size=1000",
        "trainer.max_epochs=3",
        "optim.lr=0.003",
        "norm=none",
        "logger=csv",
        "callbacks=none",
        "trainer.enable_progress_bar=false",
        "hydra.run.dir=run",
    )
    (record,) = load_records(tmp_path / "run")
    assert record.status == "completed"
    assert record.data["train_size"] == 4000 and record.data["shape"] == [1, 32, 32]
    # Fashion-MNIST's mean pixel is 72.9 of 255; zero-padding 28x28 to 32x32 scales it by 784/1024
    assert record.data["scale"] == "raw"
    assert record.data["channel_mean"][0] == pytest.approx(72.94 * 784 / 1024, abs=1.5)
    assert record.history[-1]["val_error"] < 0.5  # chance is 0.9
    assert record.final["test"]["top1_error"] == pytest.approx(
        record.history[-1]["val_error"], abs=1e-6
    )
    assert (tmp_path / "run" / "csv").is_dir()


def test_ddp_on_two_cpu_processes_leaves_one_record_per_job_and_one_report(run_cli, tmp_path):
    result = run_ok(
        run_cli,
        "-m",
        "pooling=overlap,nonoverlap",
        *TINY,
        "trainer=ddp",
        "trainer.devices=2",
        "trainer.accelerator=cpu",
        "logger=csv",
        "hydra.sweep.dir=sweep",
    )
    sweep = tmp_path / "sweep"
    assert sorted(p.parent.name for p in sweep.rglob("record.json")) == ["0", "1"]
    assert len(list(sweep.rglob("summary.json"))) == 1
    assert (result.stdout + result.stderr).count("Launching 2 jobs locally") == 1
    for r in load_records(sweep):
        assert r.status == "completed" and len(r.history) == 2
        assert r.config["trainer"]["strategy"] == "ddp"
    # each DDP child re-composed its parent's job in the parent's folder
    assert sorted(p.name for p in (sweep / "0").glob("ddp_rank_*.log")) == ["ddp_rank_1.log"]
    assert not list(tmp_path.glob("outputs"))  # no stray run folders from the children


def test_cifar10_with_no_files_and_no_network_ends_in_one_paragraph(run_cli, tmp_path):
    closed = {"https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    # the default logger: a run that cannot start must open no W&B run
    result = run_cli("data=cifar10", "trainer.max_epochs=1", env=closed)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    text = " ".join(result.stderr.split())
    assert "data=fashion_mnist" in text and "cifar-10-batches-py" in text
    assert text.count("cifar-10-batches-py and downloading it failed") == 1  # once
    assert result.stdout.strip() == ""  # no outcome line beside the paragraph
    # nothing left behind: no run folder, no record, no W&B run
    assert not (tmp_path / "outputs").exists()
    assert not list(tmp_path.rglob("record.json")) and not list(tmp_path.rglob("wandb"))


def test_a_sweep_whose_first_job_cannot_start_leaves_no_folder_and_says_so(run_cli, tmp_path):
    closed = {"https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    result = run_cli("-m", "pooling=overlap,nonoverlap", "logger=none", env=closed)
    assert result.returncode == 2
    lines = [line for line in result.stdout.splitlines() if " | " in line]
    assert lines == ["pooling=overlap | did not start"]  # what varies, and that it did not start
    assert "cifar-10-batches-py and downloading it failed" in " ".join(result.stderr.split())
    assert not (tmp_path / "multirun").exists()  # no sweep folder, no job folder, no record
    assert not list(tmp_path.rglob("record.json"))


def test_a_diverging_run_is_recorded_and_the_sweep_goes_on(run_cli, tmp_path):
    run_ok(run_cli, "-m", "optim.lr=0.001,1e30", *TINY, "logger=csv", "hydra.sweep.dir=sweep")
    by_lr = {r.settings["lr"]: r for r in load_records(tmp_path / "sweep")}
    assert by_lr[0.001].status == "completed"
    assert by_lr[1e30].status == "diverged" and "became nan" in by_lr[1e30].error
    assert "Lower the learning rate" in by_lr[1e30].error
    summary = json.loads((tmp_path / "sweep" / "summary.json").read_text())
    assert [f["status"] for f in summary["failed_runs"]] == ["diverged"]
    assert "diverged" in (tmp_path / "sweep" / "report.md").read_text()


def test_a_single_diverging_run_exits_non_zero_with_the_fix(run_cli, tmp_path):
    result = run_cli("optim.lr=1e30", *TINY, "logger=csv", "hydra.run.dir=run")
    assert result.returncode == 3
    assert "Lower the learning rate" in " ".join(result.stderr.split())
    (record,) = load_records(tmp_path / "run")
    assert record.status == "diverged"


def test_a_net_collapsed_onto_one_class_is_flagged_not_learning(run_cli, tmp_path):
    # the paper's init on raw synthetic input at lr 0.01 answers one class from epoch 2 on:
    # 87.7% error on 512 random labels, below 1 - 1/10 - 0.02 but at the majority-class error
    overrides = ["data=synthetic", "trainer.max_epochs=5", "logger=none", "callbacks=none"]
    result = run_ok(run_cli, *overrides, "trainer.enable_progress_bar=false", "hydra.run.dir=run")
    (record,) = load_records(tmp_path / "run")
    chance = record.data["chance_error"]
    assert 0.85 < chance < 0.88
    assert [h["train_error"] for h in record.history[2:]] == [pytest.approx(chance)] * 3
    assert record.not_learning is True
    assert " | completed, not learning | epochs 5 | " in result.stdout  # the run's one line


@needs_fashion_mnist
def test_a_net_that_collapses_after_learning_is_flagged_in_its_record_and_the_report(
    run_cli, tmp_path
):
    # epoch 1 learns (the modern init and input scale); from epoch 2 on the net answers one
    # class (tests/collapse.py: a certain stand-in for ReLU's collapse at a large lr)
    collapse = "+callbacks.collapse._target_=tests.collapse.CollapseAfterFirstEpoch"
    result = run_cli(
        "-m",
        "data=fashion_mnist",
        "data.train_size=2000",
        "data.val_size=500",
        "data.batch_size=32",
        "init=torch",
        "data.scale=standard",
        "norm=none",
        "optim=constant",
        "optim.lr=0.003",
        "trainer.max_epochs=3",
        "not_learning_patience=2",
        "logger=csv",
        "callbacks=none",
        collapse,
        "hydra.sweep.dir=sweep",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (record,) = load_records(tmp_path / "sweep")
    chance = record.data["chance_error"]
    errors = [h["train_error"] for h in record.history]
    assert errors[0] < chance - 0.05 and errors[1:] == [pytest.approx(chance)] * 2
    assert record.not_learning is True
    assert " | completed, not learning | epochs 3 | " in result.stdout
    summary = json.loads((tmp_path / "sweep" / "summary.json").read_text())
    (stuck,) = summary["not_learning_runs"]
    assert stuck["overrides"][-1] == collapse and stuck["record"] == "sweep/0/record.json"
    report = (tmp_path / "sweep" / "report.md").read_text()
    assert "## Runs that did not learn" in report
    assert f"`{' '.join(stuck['overrides'])}` (`sweep/0/record.json`)" in report


@pytest.mark.parametrize(
    "override,valid",
    [("activation=swish", ["relu", "tanh"]), ("data.scale=zscore", ["raw", "unit", "standard"])],
)
def test_an_unknown_option_lists_the_valid_ones(run_cli, override, valid):
    result = run_cli(override, *TINY, "logger=csv")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert all(v in result.stderr for v in valid)


def test_relu_vs_tanh_settings_compares_the_arms_within_each_setting(run_cli, tmp_path):
    result = run_ok(
        run_cli,
        "experiment=relu_vs_tanh_settings",
        *TINY,
        "trainer.max_epochs=1",  # 12 jobs: the comparison's shape, not learning, is tested
        "optim.lr=0.001",
        "seed=0",
        "logger=csv",
        "hydra.sweep.dir=sweep",
    )
    sweep = tmp_path / "sweep"
    assert len(load_records(sweep)) == 12  # 2 activations x 3 inits x 2 scales x 1 seed
    summary = json.loads((sweep / "summary.json").read_text())
    assert summary["setting_keys"] == ["init", "data.scale"]
    labels = [s["label"] for s in summary["settings"]]
    assert sorted(labels) == [
        "init=cuda_convnet, data.scale=raw",
        "init=cuda_convnet, data.scale=standard",
        "init=paper, data.scale=raw",
        "init=paper, data.scale=standard",
        "init=torch, data.scale=raw",
        "init=torch, data.scale=standard",
    ]
    assert summary["curve_panels"] == labels  # one Figure-1 panel per setting
    assert all([a["arm"] for a in s["arms"]] == ["relu", "tanh"] for s in summary["settings"])
    assert all(s["verdict"]["verdict"] for s in summary["settings"])
    assert summary["verdict"]["verdict"] == "per setting"
    report = (sweep / "report.md").read_text()
    table = report.split("## Per setting")[1].split("## Verdict")[0]
    rows = [line for line in table.splitlines() if line.startswith("| init=")]
    assert sorted(r.split(" | ")[0].lstrip("| ") for r in rows) == sorted(labels)
    assert "C1 per setting" in result.stdout


def test_ctrl_c_leaves_an_interrupted_record_with_the_finished_epochs(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "WANDB_MODE": "offline", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "alexnet_lab", *TINY, "trainer.max_epochs=500",
               "logger=csv", "hydra.run.dir=run"]  # fmt: skip
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    record_path = tmp_path / "run" / "record.json"
    deadline = time.time() + 600
    while time.time() < deadline:
        if record_path.exists() and len(RunRecord.load(record_path).history) >= 2:
            break
        time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    assert proc.returncode != 0
    record = RunRecord.load(record_path)
    assert record.status == "interrupted"
    assert 2 <= len(record.history) < 500
    assert record.final["last"]["epoch"] == len(record.history)


def test_a_bad_value_fails_its_job_and_the_sweep_goes_on(run_cli, tmp_path):
    result = run_cli("-m", *TINY, "trainer.max_epochs=abc,1", "logger=csv", "hydra.sweep.dir=sweep")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    bad, good = load_records(tmp_path / "sweep")
    assert good.status == "completed"
    assert bad.status == "failed"
    assert bad.error.startswith("trainer.max_epochs='abc' is not a number: it must be a whole")
    assert (tmp_path / "sweep" / "report.md").is_file()


def test_a_bad_value_in_a_single_run_is_one_paragraph_and_leaves_nothing(run_cli, tmp_path):
    result = run_cli(*TINY, "data.val_size=0", "logger=csv", "hydra.run.dir=out/run")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("data.val_size=0 is out of range") == 1
    assert not (tmp_path / "out").exists()
