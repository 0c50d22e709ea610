"""The paper's network on an ImageFolder tree through the CLI: C5 and C7 end with reports."""

import json

import pytest

from tests.conftest import make_image_tree
from tests.records import load_records

pytestmark = pytest.mark.slow
TINY = [
    "data=imagefolder",
    "data.root=tree",
    "data.batch_size=16",
    "trainer.max_epochs=1",
    "seed=0,1",
    "logger=csv",
    "callbacks=none",
    "trainer.enable_progress_bar=false",
]


def test_the_augmentation_experiment_compares_three_recipes_and_judges_c5s_parts(run_cli, tmp_path):
    make_image_tree(tmp_path / "tree", train_per_class=4, val_per_class=2, size=(300, 260))
    result = run_cli("experiment=augmentation", *TINY, "hydra.sweep.dir=multirun/aug")
    assert result.returncode == 0, result.stderr[-3000:]
    sweep = tmp_path / "multirun" / "aug"
    summary = json.loads((sweep / "summary.json").read_text())
    assert summary["claim"] == "C5" and summary["arms"] == ["paper", "none", "crop_flip"]
    (setting,) = summary["settings"]
    assert [a["n"] for a in setting["arms"]] == [2, 2, 2]
    parts = setting["verdict"]["parts"]
    assert [p["part"].split(" (")[0] for p in parts] == ["test top-1 error", "PCA lighting"]
    # C5 is judged on the overfitting gap to the eval-mode training error, every run has it
    assert summary["metric"] == "train_val_gap"
    assert all(a["train_val_gap_mean"] is not None for a in setting["arms"])
    assert all(p["verdict"] in ("reproduced", "not reproduced", "inconclusive") for p in parts)
    report = (sweep / "report.md").read_text()
    assert "final validation error minus the final `train_eval_error`" in report
    runs = load_records(sweep)
    assert len(runs) == 6 and {r.settings["model"] for r in runs} == {"alexnet"}
    by_arm = {r.settings["augmentation"]: r.data["augmentation"] for r in runs}
    assert by_arm["none"] == {"crop": 227, "random_crop": False, "flip": False, "lighting": None}
    assert by_arm["paper"] == {"crop": 227, "random_crop": True, "flip": True, "lighting": 0.1}
    assert all(r.data["input_shape"] == [3, 227, 227] for r in runs)
    assert all(0 <= r.history[-1]["train_eval_error"] <= 1 for r in runs)
    # the second run of the sweep read the tree's cache instead of decoding it again
    assert len(list((tmp_path / "tree" / ".alexnet-lab-cache").glob("stats-*.pt"))) == 1


def test_the_tta_experiment_trains_once_and_tests_both_views(run_cli, tmp_path):
    make_image_tree(tmp_path / "tree", train_per_class=4, val_per_class=2, size=(300, 260))
    result = run_cli("experiment=tta", *TINY, "hydra.sweep.dir=multirun/tta")
    assert result.returncode == 0, result.stderr[-3000:]
    sweep = tmp_path / "multirun" / "tta"
    runs = load_records(sweep)
    assert len(runs) == 2  # one training per seed
    for run in runs:
        tests = run.final["tests"]
        assert set(tests) == {"center", "ten_crop"} and run.final["test"]["tta"] == "ten_crop"
        assert run.final["val_tta"] == "center"
    summary = json.loads((sweep / "summary.json").read_text())
    assert summary["claim"] == "C7" and summary["arms"] == ["ten_crop", "center"]
    (setting,) = summary["settings"]
    arms = {a["arm"]: a for a in setting["arms"]}
    centre = sorted(r.final["tests"]["center"]["top1_error"] for r in runs)
    assert arms["center"]["n"] == 2
    assert arms["center"]["top1_error_mean"] == pytest.approx(sum(centre) / 2)
    report = (sweep / "report.md").read_text()
    assert "runs: 2 (2 completed), each trained once and tested on 2 views" in report


def test_ten_crop_without_crops_is_refused_before_training(run_cli, tmp_path):
    result = run_cli("data=synthetic", "tta=ten_crop", "logger=none")
    assert result.returncode == 2
    assert "tta=ten_crop needs crops" in result.stdout + result.stderr
    assert "augmentation=crop_flip" in result.stdout + result.stderr
