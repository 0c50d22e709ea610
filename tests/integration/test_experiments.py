"""Every claim experiment through the real CLI on tiny synthetic data, then `--all`."""

import json
import subprocess
import sys

import pytest

from tests.records import load_records

pytestmark = pytest.mark.slow
TINY = [
    "data=synthetic",
    "data.train_size=32",
    "data.val_size=32",
    "data.batch_size=32",
    "trainer.max_epochs=1",
    "seed=0,1",
    "logger=csv",
    "callbacks=none",
    "trainer.enable_progress_bar=false",
]
EXPERIMENTS = {
    "lrn": ("C2", ["lrn", "none"], "convnet_local"),
    "pooling": ("C3", ["overlap", "nonoverlap"], "alexnet_cifar"),
    "dropout": ("C4", ["on", "off"], "alexnet_cifar"),
    "towers": ("C6", ["two", "one"], "alexnet_cifar"),
}


def test_each_claim_experiment_ends_with_its_verdict_and_all_claims_report(run_cli, tmp_path):
    for name, (claim, arms, model) in EXPERIMENTS.items():
        result = run_cli(f"experiment={name}", *TINY, f"hydra.sweep.dir=multirun/{name}")
        assert result.returncode == 0, result.stderr[-3000:]
        summary = json.loads((tmp_path / "multirun" / name / "summary.json").read_text())
        assert summary["claim"] == claim and summary["arms"] == arms
        (setting,) = summary["settings"]
        assert [a["n"] for a in setting["arms"]] == [2, 2]
        assert summary["verdict"]["verdict"] in ("reproduced", "not reproduced", "inconclusive")
        assert "train_val_gap_mean" in setting["arms"][0]
        records = load_records(tmp_path / "multirun" / name)
        assert {r.settings["model"] for r in records} == {model}
    command = [
        sys.executable,
        "-m",
        "alexnet_lab.results.report",
        "--all",
        str(tmp_path / "multirun"),
    ]
    report = subprocess.run(command, capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    paper = (tmp_path / "multirun" / "paper_report.md").read_text()
    for name, (claim, _, _) in EXPERIMENTS.items():
        assert f"| {claim}: " in paper and f"[{name}/report.md]({name}/report.md)" in paper
    assert "Not run yet: C1" in paper
    assert (tmp_path / "multirun" / "paper_report.png").read_bytes()[:4] == b"\x89PNG"


def test_a_switch_the_model_lacks_stops_before_any_data_is_loaded(run_cli, tmp_path):
    result = run_cli("towers=two", "data=cifar10", "logger=csv")  # no CIFAR-10 files here
    assert result.returncode == 2
    text = " ".join(result.stderr.split())
    assert "`towers` is not a switch of model=convnet4" in text and "alexnet_cifar" in text
    assert "CIFAR-10" not in text and not (tmp_path / "data").exists()


def test_init_cuda_convnet_on_a_model_without_its_source_stops_before_any_data_loads(
    run_cli, tmp_path
):
    # experiment=lrn defaults to init=cuda_convnet; AlexNet has no cuda-convnet config
    result = run_cli("experiment=lrn", "model=alexnet_cifar", "seed=0", "logger=csv")
    assert "does not apply to model=alexnet_cifar" in result.stdout + result.stderr
    records = load_records(tmp_path / "multirun")
    assert len(records) == 2 and {r.status for r in records} == {"failed"}  # norm=lrn,none
    for record in records:  # one paragraph each, naming the inits that do apply
        assert "init=cuda_convnet does not apply to model=alexnet_cifar" in record.error
        assert "init=paper, init=caffe or init=torch" in record.error
        assert "\n" not in record.error and not record.history
    assert "CIFAR-10" not in result.stderr and not (tmp_path / "data").exists()
