"""Records read defensively, and a report that cannot be written is a paragraph.

A record of a newer format or with a wrong-typed value is named as unreadable and the rest of
the sweep is reported; an unwritable folder is named (and not followed by "no sweeps below");
a report killed part-way leaves no hidden partial file that later reports keep.
"""

from __future__ import annotations

import json

import pytest

from alexnet_lab.record.files import RecordError, RunRecord
from alexnet_lab.results.report import main as report_main
from tests.records import curve, make_record
from tests.unit.test_damaged_records import pooling_sweep


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def good(**changes) -> dict:
    data = make_record(["pooling=overlap"], 0, curve(3), top1=0.2, select=()).to_dict()
    data.update(changes)
    return data


def wrong_row() -> dict:
    data = good()
    data["history"][1]["train_error"] = "abc"
    return data


BAD = {
    "a newer format": (good(format=99), "newer than this alexnet-lab reads"),
    "a wrong-typed history value": (wrong_row(), "`history[1].train_error` is 'abc'"),
    "a wrong-typed final value": (good(final={"test": {"top1_error": "x"}}), "final.test"),
    "a wrong-typed target": (good(target_error="low"), "`target_error` is 'low'"),
    "a format that is no number": (good(format="two"), "`format` is 'two'"),
}


@pytest.mark.parametrize("name", BAD)
def test_a_record_of_a_newer_format_or_a_wrong_type_is_a_record_error(tmp_path, name):
    data, reason = BAD[name]
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data))
    with pytest.raises(RecordError) as info:
        RunRecord.load(path)
    assert reason in info.value.reason


def test_nan_strings_and_old_records_still_read(tmp_path):
    data = good(format=None)
    data["history"][0]["val_error"] = "nan"
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data))
    assert RunRecord.load(path).format == 1


@pytest.mark.parametrize("name", ["a newer format", "a wrong-typed history value"])
def test_the_report_command_names_it_and_reports_the_rest(tmp_path, capsys, name):
    bad = pooling_sweep(tmp_path, json.dumps(BAD[name][0]))
    report_main([str(tmp_path), "--quiet"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["what_ran"]["runs"] == 4
    assert [e["record"] for e in summary["unreadable"]] == [str(bad)]
    assert str(bad) in flat(capsys.readouterr().err)


def test_an_unwritable_report_folder_is_a_paragraph(tmp_path, capsys, monkeypatch):
    from alexnet_lab.results import report

    pooling_sweep(tmp_path)
    monkeypatch.setattr(report, "unwritable", lambda folder: "PermissionError: denied")
    with pytest.raises(SystemExit) as exit_:
        report_main([str(tmp_path)])
    err = flat(capsys.readouterr().err)
    assert exit_.value.code == 2 and "cannot be written (PermissionError: denied)" in err
    assert not (tmp_path / "summary.json").exists()


def test_a_folder_that_fails_while_written_is_a_paragraph(tmp_path, capsys, monkeypatch):
    from alexnet_lab.results import sweep_report

    pooling_sweep(tmp_path)

    def denied(folder, quiet=False):
        raise PermissionError(13, "Permission denied", str(folder / "report.md"))

    monkeypatch.setattr(sweep_report, "build_report", denied)
    with pytest.raises(SystemExit) as exit_:
        report_main([str(tmp_path)])
    err = flat(capsys.readouterr().err)
    assert exit_.value.code == 2 and "could not be written" in err and "Traceback" not in err


def test_no_sweeps_below_does_not_follow_naming_each_sweep(tmp_path, capsys, monkeypatch):
    from alexnet_lab.results.page import paper_report

    pooling_sweep(tmp_path / "sweep")
    (tmp_path / "sweep" / "multirun.yaml").write_text("x")

    def denied(sweep, reuse=False):
        raise PermissionError(13, "Permission denied", str(sweep / "summary.json"))

    monkeypatch.setattr(paper_report, "sweep_summary", denied)
    with pytest.raises(SystemExit) as exit_:
        report_main(["--all", str(tmp_path), "--quiet"])
    err = flat(capsys.readouterr().err)
    assert exit_.value.code == 1 and "every sweep below" in err and "no sweeps" not in err
    assert "Permission denied" in err  # the sweep's own paragraph, above


def test_a_partial_file_a_killed_report_left_is_removed_by_the_next(tmp_path):
    pooling_sweep(tmp_path)
    left = tmp_path / ".curves.png.x1y2.partial.png"
    left.write_bytes(b"\\x89PNG")
    report_main([str(tmp_path), "--quiet"])
    assert not left.exists() and (tmp_path / "summary.json").exists()
