"""C7 read off C5's crop-trained runs: a derived sweep folder (derived.json), no training."""

import json

import pytest

from alexnet_lab.errors import UserError
from alexnet_lab.record.files import write_record
from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.derived import DERIVED, folder_records, write_derived
from alexnet_lab.results.page.paper_report import find_sweeps
from alexnet_lab.results.sweep_report import build_report
from tests.records import a_record


def c5_record(arm: str, seed: int, center: float, ten: float) -> RunRecord:
    history = [{"epoch": e, "train_error": 0.5 - 0.1 * e, "val_error": center} for e in (1, 2)]
    tests = {
        "center": {"top1_error": center, "top5_error": center / 3, "tta": "center"},
        "ten_crop": {"top1_error": ten, "top5_error": ten / 3, "tta": "ten_crop"},
    }
    return a_record(
        status="completed",
        overrides=[f"augmentation={arm}", f"seed={seed}"],
        seed=seed,
        claim="C5",
        report={"arm_group": "augmentation", "select_keys": [], "replicate_keys": ["seed"]},
        settings={"model": "convnet4", "data": "cifar10", "augmentation": arm, "max_epochs": 2},
        history=history,
        final={"last": history[-1], "test": tests["center"], "tests": tests},
        data={"train_size": 1000, "augmentation": {"random_crop": arm != "none"}},
    )


@pytest.fixture
def c5_sweep(tmp_path):
    sweep = tmp_path / "c5_cpu"
    for arm in ("none", "crop_flip", "paper"):
        for seed in range(3):
            center = 0.30 + 0.01 * seed
            write_record(
                sweep / f"{arm}-seed{seed}" / "record.json",
                c5_record(arm, seed, center, center - 0.02),
            )
    return sweep


def test_c7_reads_only_the_crop_trained_runs_as_its_own_claim(c5_sweep):
    folder = write_derived(c5_sweep, "c7")
    assert folder == c5_sweep.parent / "c5_cpu-c7"
    spec = json.loads((folder / DERIVED).read_text())
    assert spec == {
        "claim": "C7",
        "from": "../c5_cpu",
        "where": {"data.augmentation.random_crop": True},
    }
    records, unreadable = folder_records(folder)
    assert not unreadable and len(records) == 6
    assert {r.settings["augmentation"] for r in records} == {"crop_flip", "paper"}
    assert {r.claim for r in records} == {"C7"} and {r.arm_group for r in records} == {"tta"}
    summary = build_report(folder, quiet=True)
    assert (folder / "report.md").exists() and not list(c5_sweep.glob("*-c7*/record.json"))
    text = json.dumps(summary)
    assert "ten_crop" in text and "none" not in {r.settings["augmentation"] for r in records}
    assert folder in find_sweeps(c5_sweep.parent) and c5_sweep in find_sweeps(c5_sweep.parent)


def test_only_c7_can_be_read_off_another_sweep(c5_sweep):
    with pytest.raises(UserError, match="only C7"):
        write_derived(c5_sweep, "C3")
    assert not (c5_sweep.parent / "c5_cpu-c3").exists()
