"""``alexnet-lab-report A B``: sweeps of one claim side by side by the settings that differ,
which runs came from which folder; sweeps of different claims refused in one paragraph."""

import json

import pytest

from alexnet_lab.record.files import write_record
from alexnet_lab.results.report import main
from tests.unit.test_figures import c1_sweep
from tests.unit.test_results_page import pooling_records, write_sweep


def write_c1(folder, init):
    """A C1 sweep whose runs all started from ``init`` (the experiment's, not an override)."""
    for i, record in enumerate(c1_sweep()):
        record.settings["init"] = init
        write_record(folder / str(i) / "record.json", record)


def test_two_c1_sweeps_that_differ_in_init_are_one_side_by_side_view(tmp_path, capsys):
    paper, torch = tmp_path / "runs" / "paper", tmp_path / "runs" / "torch"
    write_c1(paper, "paper")
    write_c1(torch, "torch")
    out = tmp_path / "view"
    main([str(paper), str(torch), "--out", str(out), "--quiet"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["claim"] == "C1"
    assert [s["label"] for s in summary["settings"]] == ["init=paper", "init=torch"]
    assert all(s["verdict"]["verdict"] for s in summary["settings"])  # each judged
    assert summary["verdict"]["verdict"] == "per setting"
    sources = {s["folder"]: s for s in summary["sources"]}
    assert sources[str(paper)]["settings"] == {"init": "paper"}
    assert sources[str(torch)]["runs"] == len(c1_sweep())
    assert all(p.startswith(str(torch)) for p in sources[str(torch)]["records"])
    report = (out / "report.md").read_text()
    assert f"- `{paper}`: {len(c1_sweep())} runs; init=paper" in report
    assert f"alexnet-lab-report {torch}" in report
    html = (out / "report.html").read_text()
    assert "Sweeps in this view" in html and f"<code>{paper}</code>" in html
    # side by side: one panel per setting in the curves, one row per setting in the table
    tex = (out / "table_comparison.tex").read_text()
    assert "init=paper &" in tex and "init=torch &" in tex
    assert (out / "training_curves.svg").exists()
    assert not (paper / "report.md").exists()  # the sweeps' own folders are left alone


def test_sweeps_of_different_claims_are_refused_in_one_paragraph(tmp_path, capsys):
    c1, c3 = tmp_path / "c1", tmp_path / "c3"
    write_c1(c1, "paper")
    write_sweep(c3, pooling_records())
    with pytest.raises(SystemExit) as stop:
        main([str(c1), str(c3), "--out", str(tmp_path / "view")])
    assert stop.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "different claims" in err and "C1" in err and "C3" in err
    assert "alexnet-lab-report --all" in err
    assert not (tmp_path / "view").exists()
