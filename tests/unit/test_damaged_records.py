"""Damaged run records are named (path and reason), never fatal to the report or to resume."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alexnet_lab.record.files import RecordError, RunRecord, read_records, write_record
from alexnet_lab.results.page.paper_report import build_paper_report
from alexnet_lab.results.report import build_report
from alexnet_lab.run.resume import check_same_experiment, plan_resume
from tests.records import curve, make_record

DAMAGED = {
    "truncated": ('{"overrides": ["pooling=overlap"], "status": "comp', "not valid JSON"),
    "empty": ("", "it is empty"),
    "a list": ("[1, 2]", "a JSON list, not an object"),
    "an empty object": ("{}", "`overrides` is missing"),
    "a wrong field": ('{"overrides": "x", "status": "completed"}', "`overrides` is a str"),
    "a wrong history": ('{"overrides": [], "status": "completed", "history": [1]}', "history"),
}


@pytest.mark.parametrize("name", DAMAGED)
def test_a_damaged_record_raises_a_record_error_naming_file_and_reason(tmp_path, name):
    text, reason = DAMAGED[name]
    path = tmp_path / "record.json"
    path.write_text(text)
    with pytest.raises(RecordError) as info:
        RunRecord.load(path)
    assert info.value.path == str(path) and reason in info.value.reason
    assert str(path) in str(info.value)


def pooling_sweep(folder: Path, damaged: str = '{"overrides": ["pooling=ov') -> Path:
    """Four good pooling runs in folders 0-3, and a damaged record in folder 4."""
    for i, (layout, seed) in enumerate([(a, s) for a in ("overlap", "nonoverlap") for s in (0, 1)]):
        record = make_record([f"pooling={layout}"], seed, curve(3), top1=0.2, select=())
        write_record(folder / str(i) / "record.json", record)
    bad = folder / "4" / "record.json"
    bad.parent.mkdir(parents=True)
    bad.write_text(damaged)
    return bad


@pytest.mark.parametrize("damaged", ['{"overrides": ["pooling=ov', "[1, 2]", "{}"])
def test_the_report_lists_unreadable_records_and_reports_the_rest(tmp_path, damaged, capsys):
    bad = pooling_sweep(tmp_path, damaged)
    summary = build_report(tmp_path)
    assert summary["what_ran"]["runs"] == 4 and summary["claim"] == "C3"
    (entry,) = summary["unreadable"]
    assert entry["record"] == str(bad) and entry["reason"]
    assert json.loads((tmp_path / "summary.json").read_text())["unreadable"] == [entry]
    report = (tmp_path / "report.md").read_text()
    assert "## Unreadable records" in report and str(bad) in report
    err = " ".join(capsys.readouterr().err.split())
    assert "1 unreadable record(s)" in err and str(bad) in err
    assert len(read_records(tmp_path)[0]) == 4


def test_report_cli_names_the_damaged_file_without_a_traceback(tmp_path):
    bad = tmp_path / "0" / "record.json"
    bad.parent.mkdir()
    bad.write_text('{"overrides": [')
    result = subprocess.run(
        [sys.executable, "-m", "alexnet_lab.results.report", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "300"},  # a long tmp path is not folded at the border
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    err = "".join(result.stderr.split())
    assert "noreadablerunrecords" in err and "".join(str(bad).split()) in err


def test_report_all_goes_on_past_a_broken_sweep(tmp_path, capsys):
    pooling_sweep(tmp_path / "good")
    broken = tmp_path / "broken" / "0" / "record.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("[1, 2]")
    rows = build_paper_report(tmp_path)
    assert [r["sweep"] for r in rows] == ["good"]
    assert (tmp_path / "paper_report.md").exists() and (tmp_path / "good" / "report.md").exists()
    err = " ".join(capsys.readouterr().err.split())
    assert "sweep left out" in err  # the folder's path may wrap inside the panel
    assert str(tmp_path / "broken") in err.replace("│", "").replace(" ", "")


def test_resume_runs_a_job_with_an_unreadable_record_again_with_a_note(tmp_path):
    pooling_sweep(tmp_path)
    check_same_experiment(tmp_path, None)  # unreadable records do not refuse the folder
    with pytest.warns(UserWarning, match="no usable record"):
        plan = plan_resume(tmp_path / "4", tmp_path, None, ["pooling=overlap", "seed=0"])
    assert plan.action == "fresh" and plan.previous is None
    assert "no usable record" in plan.notes[0] and "runs again" in plan.notes[0]
    good = plan_resume(tmp_path / "0", tmp_path, None, ["pooling=overlap", "seed=0"])
    assert good.action == "skip"


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_records_are_created_with_the_users_umask(tmp_path, umask):
    import os

    old = os.umask(umask)
    try:
        write_record(tmp_path / "record.json", {"overrides": [], "status": "running"})
    finally:
        os.umask(old)
    assert (tmp_path / "record.json").stat().st_mode & 0o777 == 0o666 & ~umask
