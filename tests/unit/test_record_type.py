"""RunRecord: the typed run record; format-1 dicts still read, nothing lost on a round trip."""

import json

import pytest

from alexnet_lab.console import console, print_run_summary
from alexnet_lab.record.files import (
    FORMAT,
    RunRecord,
    read_records,
    write_record,
)

FORMAT_1 = {  # as job.new_record / RunRecorder wrote it before RunRecord
    "format": 1,
    "choices": {"activation": "relu", "experiment": "relu_vs_tanh"},
    "overrides": ["activation=relu", "optim.lr=0.01", "seed=1"],
    "seed": 1,
    "claim": "C1",
    "experiment": "relu_vs_tanh",
    "target_error": 0.25,
    "not_learning_patience": 5,
    "report": {"arm_group": "activation", "select_keys": ["optim.lr"], "replicate_keys": ["seed"]},
    "settings": {"model": "convnet4", "lr": 0.01, "max_epochs": 3, "global_batch_size": 256},
    "status": "completed",
    "history": [
        {"epoch": 1, "train_error": 0.6, "val_error": 0.5, "val_top5_error": 0.2},
        {"epoch": 2, "train_error": 0.2, "val_error": 0.4, "val_top5_error": 0.1},
    ],
    "final": {
        "last": {"epoch": 2, "train_error": 0.2, "val_error": 0.4, "val_top5_error": 0.1},
        "best": {"epoch": 2, "val_error": 0.4},
        "test": {"top1_error": 0.35, "top5_error": 0.12, "tta": "ten_crop"},
        "tests": {
            "center": {"top1_error": 0.38, "top5_error": 0.13, "tta": "center"},
            "ten_crop": {"top1_error": 0.35, "top5_error": 0.12, "tta": "ten_crop"},
        },
    },
    "epochs_to_target": 2,
    "not_learning": False,
    "data": {"train_size": 512, "chance_error": 0.9},
    "output_dir": "/runs/0",
    "record_path": "/runs/0/record.json",
    "resumed_from": "/runs/0/checkpoints/last.ckpt",  # not a field of RunRecord
}


def test_a_format_1_dict_reads_with_typed_accessors():
    run = RunRecord.from_dict(FORMAT_1)
    assert run.format == 1 and run.status == "completed" and run.completed
    assert run.seed == 1 and run.claim == "C1" and run.overrides[0] == "activation=relu"
    assert run.setting("lr") == 0.01 and run.setting("missing", "-") == "-"
    assert run.max_epochs == 3 and run.global_batch == 256 and run.train_size == 512
    assert run.last("train_error") == 0.2 and run.best["epoch"] == 2
    assert run.test_error() == 0.35 and run.test_error(5) == 0.12
    assert run.test_error(view="center") == 0.38 and set(run.test_views) == {"center", "ten_crop"}
    assert run.select_keys == ["optim.lr"] and run.arm_group == "activation"
    assert run.choice("activation") == "relu" and run.choice("model") == "convnet4"
    assert run.extra == {} and run.resumed_from == "/runs/0/checkpoints/last.ckpt"


def test_a_record_without_a_format_is_format_1_and_falls_back_to_validation():
    old = {k: v for k, v in FORMAT_1.items() if k not in ("format", "final")}
    run = RunRecord.from_dict(old)
    assert run.format == 1 and run.test_error() == 0.4  # the last validation error
    assert RunRecord.from_dict({}).max_epochs == 0 and RunRecord().test_error() is None


def test_round_trip_loses_nothing(tmp_path):
    run = RunRecord.from_dict(FORMAT_1)
    written = run.to_dict()
    assert written["format"] == FORMAT == 2
    assert {k: v for k, v in written.items() if k != "format"} | {"format": 1} == {
        **{k: written[k] for k in written if k not in FORMAT_1},
        **FORMAT_1,
    }
    write_record(tmp_path / "a" / "record.json", run)  # a RunRecord
    write_record(tmp_path / "b" / "record.json", FORMAT_1)  # training's plain dict
    (a, b), unreadable = read_records(tmp_path)
    assert a.path.endswith("a/record.json") and a.to_dict() == b.replace(format=2).to_dict()
    assert a.resumed_from == FORMAT_1["resumed_from"] and unreadable == []
    assert RunRecord.load(tmp_path / "a" / "record.json").to_dict() == a.to_dict()
    # raw on purpose: what is (not) written on disk is the point
    assert "path" not in json.loads((tmp_path / "a" / "record.json").read_text())


def test_a_test_view_copy_stands_for_one_view():
    run = RunRecord.from_dict(FORMAT_1)
    centre = run.with_test_view("center", "tta")
    assert centre.overrides[-1] == "tta=center" and centre.tested_view == "center"
    assert centre.test_error() == 0.38 and run.test_error() == 0.35
    assert centre.run_id == run.run_id


@pytest.mark.parametrize("as_type", [dict, RunRecord.from_dict])
def test_the_run_summary_prints_from_either_form(as_type):
    with console.capture() as captured:
        print_run_summary(as_type(FORMAT_1))
    text = captured.get()
    assert "completed" in text and "35.00% / 12.00%" in text and "epochs to 25%" in text


def test_a_record_an_earlier_version_named_metrics_json_is_still_found_read_and_resumed(tmp_path):
    from alexnet_lab.record.files import (
        RECORD_NAME,
        holds_records,
        read_records,
        record_file,
        record_paths,
    )
    from alexnet_lab.run.resume import plan_resume

    assert RECORD_NAME == "record.json"
    old = tmp_path / "sweep" / "0" / "metrics.json"
    old.parent.mkdir(parents=True)
    old.write_text(json.dumps(FORMAT_1))
    new = tmp_path / "sweep" / "1" / "record.json"
    write_record(new, FORMAT_1 | {"seed": 2})
    sweep = tmp_path / "sweep"

    assert holds_records(sweep) and not holds_records(tmp_path / "empty")
    assert record_paths(sweep) == [old, new]
    assert (
        record_file(old.parent) == old
        and record_file(tmp_path / "x") == tmp_path / "x" / RECORD_NAME
    )
    records, unreadable = read_records(sweep)
    assert [r.seed for r in records] == [1, 2] and unreadable == []
    plan = plan_resume(old.parent, sweep, "relu_vs_tanh", FORMAT_1["overrides"])
    assert plan.action == "skip" and plan.previous is not None and plan.previous.seed == 1

    # both in one folder: the current name wins; writing it retires the old file
    write_record(old.parent / RECORD_NAME, FORMAT_1 | {"seed": 3})
    assert not old.exists()
    assert [RunRecord.load(p).seed for p in record_paths(sweep)] == [3, 2]
