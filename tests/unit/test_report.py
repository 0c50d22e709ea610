import json
import subprocess
import sys

import pytest

from alexnet_lab.record.files import (
    chance_error,
    epochs_to_target,
    is_not_learning,
    write_record,
)
from alexnet_lab.results.report import build_report
from alexnet_lab.results.verdict.claims import CLAIMS
from alexnet_lab.results.verdict.compare import compare, parse_overrides
from alexnet_lab.results.verdict.intervals import ArmStats
from alexnet_lab.results.verdict.verdicts import judge
from tests.records import curve, make_record


def test_parse_overrides():
    assert parse_overrides(["a=1", "+b.c=x", "~d", "e=f=g"]) == {"a": "1", "b.c": "x", "e": "f=g"}


def test_epochs_to_target_and_not_learning():
    history = [{"epoch": 1, "train_error": 0.9}, {"epoch": 2, "train_error": 0.25}]
    assert epochs_to_target(history, 0.25) == 2
    assert epochs_to_target(history, 0.1) is None
    stuck = [{"epoch": i, "train_error": 0.895} for i in range(1, 6)]
    assert is_not_learning(stuck, chance=0.9, patience=5)
    assert not is_not_learning(stuck[:4], chance=0.9, patience=5)
    assert not is_not_learning(stuck[:4] + [{"epoch": 5, "train_error": 0.5}], 0.9, 5)


def rows(*errors: float) -> list[dict]:
    return [{"epoch": i, "train_error": e} for i, e in enumerate(errors, 1)]


def test_a_collapse_after_the_first_epoch_is_caught_at_any_point():
    chance = 0.8947  # ReLU at lr 0.03 on Fashion-MNIST: learnt in epoch 1, then 89-90% for good
    collapsed = rows(0.45, *[0.895, 0.9, 0.899, 0.897, 0.9, 0.896, 0.9, 0.898, 0.899])
    assert is_not_learning(collapsed, chance, patience=5)
    assert is_not_learning(collapsed[:6], chance, patience=5)  # five at chance after epoch 1
    # a run that ends at chance is flagged even if it sat there for fewer than `patience`
    assert is_not_learning(rows(0.5, 0.4, 0.35, 0.3, 0.9), chance, patience=5)
    # ...and one that collapsed for `patience` epochs mid-run stays flagged when it recovers
    assert is_not_learning(rows(0.5, 0.9, 0.9, 0.9, 0.9, 0.9, 0.6), chance, patience=5)
    # starting at chance and then learning is not a collapse; short runs are never judged
    assert not is_not_learning(rows(0.9, 0.9, 0.9, 0.9, 0.6, 0.4), chance, patience=5)
    # however long its slow start: 8 epochs at chance, then it learns (C4's stranded runs)
    assert not is_not_learning(rows(*[0.9] * 8, 0.6, 0.4), chance, patience=5)
    assert is_not_learning(rows(*[0.9] * 8, 0.6, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5), chance, patience=5)
    assert not is_not_learning(rows(0.9, 0.9, 0.9), chance, patience=5)
    assert not is_not_learning(rows(0.5, 0.9, 0.9, 0.9, 0.9, 0.6), chance, patience=5)


def test_chance_is_the_majority_class_error_so_a_collapsed_net_is_flagged():
    # 496 images over 10 classes, the largest holding 64: always answering it errs 87.1%
    labels = [0] * 64 + [c for c in range(1, 10) for _ in range(48)]
    assert chance_error(labels, 10) == pytest.approx(1 - 64 / 496)
    assert chance_error([], 10) == pytest.approx(0.9)
    assert chance_error([3, 3, 3, 3], 10) == 0.0
    # a net that answers the majority class for five epochs: below 1 - 1/10 - 0.02, so the
    # uniform chance level would miss it; the majority-class level flags it
    collapsed = [{"epoch": i, "train_error": 1 - 64 / 496} for i in range(1, 6)]
    assert not is_not_learning(collapsed, chance=0.9, patience=5)
    assert is_not_learning(collapsed, chance=chance_error(labels, 10), patience=5)
    learning = collapsed[:4] + [{"epoch": 5, "train_error": 0.80}]
    assert not is_not_learning(learning, chance=chance_error(labels, 10), patience=5)


def c1_records(relu_epochs, tanh_epochs, lrs=("0.01", "0.1"), extra=()):
    records = []
    for act, epochs in (("relu", relu_epochs), ("tanh", tanh_epochs)):
        for lr in lrs:
            for seed, e in enumerate(epochs):
                # the best lr is the last one; the others take 3 epochs longer
                slow = e + (0 if lr == lrs[-1] else 3)
                records.append(
                    make_record(
                        [f"activation={act}", f"optim.lr={lr}", *extra],
                        seed,
                        curve(slow if slow <= 10 else None),
                        claim="C1",
                    )
                )
    return records


def test_arms_are_grouped_by_activation_with_the_best_lr_chosen_per_arm():
    comparison = compare(c1_records([2, 2], [6, 7]), claim_id="C1", select_keys=["optim.lr"])
    assert comparison.arm_key == "activation" and comparison.setting_keys == []
    (setting,) = comparison.settings
    relu, tanh = setting.arms
    assert (relu.label, tanh.label) == ("relu", "tanh")
    assert relu.selected == {"optim.lr": "0.1"} and tanh.selected == {"optim.lr": "0.1"}
    assert relu.stats.values == [2.0, 2.0] and tanh.stats.values == [6.0, 7.0]
    assert set(relu.others) == {"optim.lr=0.01"}
    assert relu.at_edge == ["optim.lr"]  # 0.1 is the top of a two-value grid
    # two seeds per arm: 3.25x, but the 95% t-interval (1.9 df) reaches below 2x
    assert setting.verdict["verdict"] == "inconclusive"
    assert setting.verdict["numbers"]["ratio"] == pytest.approx(3.25)
    assert setting.verdict["numbers"]["interval"]["low"] < 2 < 3.25
    assert "Whether by 2x is open: the seed noise" in setting.verdict["reason"]
    seeds = setting.verdict["numbers"]["seeds_needed"]
    assert seeds == 4 and "about 4 seeds per arm would decide" in setting.verdict["reason"]
    assert "widen the grid" in setting.verdict["warning"]
    # a third seed that agrees settles it; the claim's own select key (the lr) is the default
    comparison = compare(c1_records([2, 2, 2], [6, 7, 6]), claim_id="C1")
    assert comparison.select_keys == ["optim.lr"]
    (setting,) = comparison.settings
    assert setting.verdict["numbers"]["interval"]["low"] >= 2
    # ... on the values; but tanh's best lr is the top of its grid, and a larger one could
    # make tanh faster: inconclusive, naming the lr to add
    assert setting.verdict["was"] == "reproduced" and setting.verdict["verdict"] == "inconclusive"
    assert setting.verdict["edge"] == {"optim.lr": "1"}


def test_a_2x2x2_sweep_is_compared_within_4_settings_of_2_arms():
    records = []
    for init in ("paper", "torch"):
        for scale in ("raw", "standard"):
            records += c1_records(
                [3, 3], [3, 4], lrs=("0.01",), extra=(f"init={init}", f"data.scale={scale}")
            )
    comparison = compare(records, claim_id="C1", select_keys=["optim.lr"])
    assert comparison.setting_keys == ["init", "data.scale"]
    assert len(comparison.settings) == 4
    assert {s.label for s in comparison.settings} == {
        "init=paper, data.scale=raw",
        "init=paper, data.scale=standard",
        "init=torch, data.scale=raw",
        "init=torch, data.scale=standard",
    }
    for s in comparison.settings:
        assert [a.label for a in s.arms] == ["relu", "tanh"]
        assert [a.stats.n for a in s.arms] == [2, 2]
        assert s.arms[0].at_edge == []  # a one-value grid has no edge


def test_c1_verdict_rules():
    c1 = CLAIMS["C1"]
    assert (
        judge(c1, ArmStats("relu", [5, 6]), ArmStats("tanh", [30, 35]))["verdict"] == "reproduced"
    )
    slower = judge(c1, ArmStats("relu", [12, 12]), ArmStats("tanh", [9, 9]))
    assert slower["verdict"] == "not reproduced" and "tanh is faster" in slower["reason"]
    # faster, but far from "several times": ruled out beyond the noise
    modest = judge(c1, ArmStats("relu", [10, 10, 10]), ArmStats("tanh", [12, 13, 12]))
    assert modest["verdict"] == "not reproduced" and "below 2x" in modest["reason"]
    noisy = judge(c1, ArmStats("relu", [4, 12]), ArmStats("tanh", [6, 14]))
    assert noisy["verdict"] == "inconclusive"
    assert judge(c1, ArmStats("relu", [5]), ArmStats("tanh", [30]))["verdict"] == "inconclusive"
    # relu never reached the target in one seed (a lower bound, which can only make relu
    # slower): 2x is ruled out
    censored = judge(c1, ArmStats("relu", [6, 7, 7], censored=1), ArmStats("tanh", [4, 4, 4]))
    assert censored["verdict"] == "not reproduced" and "below 2x" in censored["reason"]
    # tanh censored: it may be slower than it looks, so "tanh is faster" cannot be claimed
    unsure = judge(c1, ArmStats("relu", [6, 7]), ArmStats("tanh", [4, 4], censored=1))
    assert "tanh is faster" not in unsure["reason"]
    never = judge(
        c1, ArmStats("relu", [11, 11], censored=2), ArmStats("tanh", [11, 11], censored=2)
    )
    assert never["verdict"] == "inconclusive" and "more epochs" in never["reason"]


def test_error_claim_verdict_rules():
    c3 = CLAIMS["C3"]
    better = judge(
        c3, ArmStats("overlap", [0.20, 0.21, 0.20]), ArmStats("nonoverlap", [0.25, 0.26, 0.25])
    )
    assert better["verdict"] == "reproduced"
    assert better["numbers"]["effect"] == pytest.approx(0.05, abs=1e-9)
    # two seeds, one arm without spread: Welch's df is 1 and t = 12.7, so -5.5 points is noise
    worse = judge(c3, ArmStats("overlap", [0.30, 0.31]), ArmStats("nonoverlap", [0.25, 0.25]))
    assert worse["verdict"] == "inconclusive" and "-11.85 to +0.85" in worse["reason"]
    worse = judge(
        c3, ArmStats("overlap", [0.30, 0.31, 0.30]), ArmStats("nonoverlap", [0.25, 0.25, 0.25])
    )
    assert worse["verdict"] == "not reproduced"
    noise = judge(c3, ArmStats("overlap", [0.20, 0.30]), ArmStats("nonoverlap", [0.21, 0.29]))
    assert noise["verdict"] == "inconclusive"


def test_a_plain_sweep_infers_its_claim_and_marks_failed_runs(tmp_path):
    records = [
        make_record(["pooling=overlap"], s, curve(3), top1=0.20 + 0.001 * s, select=())
        for s in range(2)
    ]
    records += [
        make_record(["pooling=nonoverlap"], s, curve(4), top1=0.25 + 0.001 * s, select=())
        for s in range(2)
    ]
    records.append(
        make_record(
            ["pooling=nonoverlap"], 2, curve(None)[:2], status="diverged", select=(), max_epochs=10
        )
    )
    records[3].not_learning, records[3].data = True, {"train_size": 512, "chance_error": 0.9}
    for i, record in enumerate(records):
        write_record(tmp_path / str(i) / "record.json", record)
    summary = build_report(tmp_path, quiet=True)
    assert summary["claim"] == "C3" and summary["arms"] == ["overlap", "nonoverlap"]
    (stuck,) = summary["not_learning_runs"]
    assert stuck["overrides"][0] == "pooling=nonoverlap" and stuck["chance_error"] == 0.9
    (setting,) = summary["settings"]
    overlap, nonoverlap = setting["arms"]
    assert overlap["top1_error_mean"] == pytest.approx(0.2005)
    assert nonoverlap["statuses"] == {"completed": 2, "diverged": 1}
    assert nonoverlap["n"] == 2  # the diverged run has no final error
    assert summary["verdict"]["verdict"] == "reproduced"
    assert [f["status"] for f in summary["failed_runs"]] == ["diverged"]
    on_disk = json.loads((tmp_path / "summary.json").read_text())
    assert on_disk["verdict"] == summary["verdict"]
    report = (tmp_path / "report.md").read_text()
    assert "# C3: Overlapping pooling helps" in report and "diverged" in report
    assert "| all runs | overlap |" in report
    assert "## Runs that did not learn" in report
    assert f"- `{' '.join(stuck['overrides'])}` (`{stuck['record']}`): last running" in report
    for name in ("training_curves.png", "final_errors.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_report_cli_on_a_folder_without_records_fails_clearly(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "alexnet_lab.results.report", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "no run records" in result.stderr and "Traceback" not in result.stderr


def pooling_runs(layouts):
    """C3 records, one per (arm, seed), launched with the given trainer overrides per arm."""
    records = []
    for arm, (layout, global_batch) in layouts.items():
        for seed, top1 in enumerate((0.30, 0.32) if arm == "overlap" else (0.40, 0.41)):
            record = make_record([f"pooling={arm}", *layout], seed, [0.5], top1=top1, claim="C3")
            record.settings = {"max_epochs": 1, "global_batch_size": global_batch}
            records.append(record)
    return records


def test_the_process_layout_is_not_a_setting_but_the_global_batch_is():
    # overlap on 2 processes of one node, nonoverlap on 1 process on each of 2 nodes: the same
    # 256-image steps, so both arms meet in one comparison (as a torchrun on two nodes gives)
    same = pooling_runs(
        {
            "overlap": (["trainer=ddp", "trainer.devices=2", "trainer.accelerator=cpu"], 256),
            "nonoverlap": (["trainer=ddp", "trainer.devices=1", "trainer.num_nodes=2"], 256),
        }
    )
    comparison = compare(same, claim_id="C3")
    assert comparison.arm_key == "pooling" and comparison.setting_keys == []
    (setting,) = comparison.settings
    assert [a.label for a in setting.arms] == ["overlap", "nonoverlap"]
    assert setting.verdict["verdict"] == "reproduced"
    # a different global batch is a different experiment: the arms are not compared across it
    apart = pooling_runs(
        {
            "overlap": (["trainer=ddp", "trainer.devices=2"], 256),
            "nonoverlap": (["trainer.devices=1"], 128),
        }
    )
    comparison = compare(apart, claim_id="C3")
    assert comparison.setting_keys == ["global_batch"]
    assert {s.verdict["verdict"] for s in comparison.settings} == {"inconclusive"}


def test_piped_output_is_wide_enough_for_the_sweep_table(monkeypatch):
    """Without a terminal rich falls back to 80 columns; the sweep's table needs more."""
    import io

    from alexnet_lab import console

    monkeypatch.delenv("COLUMNS", raising=False)
    assert console._width(io.StringIO()) == console.PIPED_WIDTH
    monkeypatch.setenv("COLUMNS", "100")
    assert console._width(io.StringIO()) is None  # rich reads COLUMNS itself


def test_a_record_flagged_by_the_older_rule_is_read_as_what_its_numbers_say():
    from alexnet_lab.results.verdict.measured import as_measured
    from tests.records import a_record

    slow = a_record(
        history=rows(*[0.9] * 8, 0.6, 0.4),
        not_learning=True,  # written by a rule that counted a slow start as a collapse
        not_learning_patience=5,
        data={"chance_error": 0.8947},
    )
    assert not as_measured(slow).not_learning and not as_measured(slow).did_not_learn
    stuck = slow.replace(history=rows(*[0.9] * 10), not_learning=False)
    assert as_measured(stuck).not_learning
