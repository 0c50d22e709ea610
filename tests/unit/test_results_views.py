"""C7's test views and C5's parts come from the claims' data; one row source for both tables."""

import pytest
from rich.console import Console

import alexnet_lab.results.formats.terminal as terminal
from alexnet_lab.record.files import RunRecord, write_record
from alexnet_lab.results.formats.tables import arm_table, markdown_table, setting_table
from alexnet_lab.results.report import build_report
from alexnet_lab.results.verdict.compare import compare
from tests.records import a_tested_run


def test_runs_tested_on_two_views_become_the_two_arms_of_c7(tmp_path):
    views = [
        {"center": 0.40, "ten_crop": 0.37},
        {"center": 0.41, "ten_crop": 0.38},
        {"center": 0.40, "ten_crop": 0.38},
    ]
    for seed, tests in enumerate(views):
        write_record(tmp_path / str(seed) / "record.json", a_tested_run([], seed, 0.4, tests=tests))
    summary = build_report(tmp_path, quiet=True)  # no claim named: the views name it
    assert summary["claim"] == "C7" and summary["arms"] == ["ten_crop", "center"]
    assert summary["what_ran"]["runs"] == 3 and summary["what_ran"]["test_views"] == [
        "center",
        "ten_crop",
    ]
    assert summary["verdict"]["verdict"] == "reproduced"
    report = (tmp_path / "report.md").read_text()
    assert "runs: 3 (3 completed), each trained once and tested on 2 views" in report


def test_c5s_parts_are_judged_where_their_arms_ran():
    records = []
    for arm, top1, gap in (("paper", 0.30, 0.02), ("crop_flip", 0.31, 0.03), ("none", 0.35, 0.2)):
        records += [
            a_tested_run([f"augmentation={arm}"], s, top1 + 0.002 * s, gap + 0.001 * s)
            for s in range(3)
        ]
    (setting,) = compare(records, claim_id="C5").settings
    assert [a.label for a in setting.arms] == ["paper", "none", "crop_flip"]
    parts = setting.verdict["parts"]
    assert [p["part"].split(" (")[0] for p in parts] == ["test top-1 error", "PCA lighting"]
    assert [p["verdict"] for p in parts] == ["reproduced", "reproduced"]
    assert all("95% interval" in p["reason"] for p in parts)
    # without crop_flip only the top-1 part can be judged
    (setting,) = compare(
        [r for r in records if "crop_flip" not in r.overrides[0]], claim_id="C5"
    ).settings
    assert [p["part"].split(" (")[0] for p in setting.verdict["parts"]] == ["test top-1 error"]


def test_the_terminal_shows_the_rows_of_report_md(tmp_path, monkeypatch):
    for arm, top1 in (("overlap", 0.20), ("nonoverlap", 0.25)):
        for seed in range(2):
            record = a_tested_run([f"pooling={arm}"], seed, top1 + 0.001 * seed).replace(claim="C3")
            write_record(tmp_path / f"{arm}{seed}" / "record.json", record)
    wide = Console(width=400, record=True)
    monkeypatch.setattr(terminal, "console", wide)
    build_report(tmp_path)
    shown = wide.export_text()
    report = (tmp_path / "report.md").read_text()
    records = [RunRecord.load(p) for p in sorted(tmp_path.rglob("record.json"))]
    comparison = compare(records, claim_id="C3")

    def cells(mark):
        return [
            [c.strip() for c in line.split(mark)[1:-1]]
            for line in shown.splitlines()
            if line.startswith(mark)
        ]

    for headers, rows in (arm_table(comparison, None), setting_table(comparison)):
        for line in markdown_table((headers, rows)):
            assert line in report
        assert headers in cells("┃")
        assert all(row in cells("│") for row in rows)
    assert "95% interval" in shown and "95% interval" in report


def test_c5s_runs_tested_on_both_views_are_judged_once_not_per_view():
    # C5's runs are also tested on C7's ten patches: the gap claim sees each run once, at its
    # configured view, not as two identical "tta=center" and "tta=ten_crop" settings
    records = [
        a_tested_run(
            [f"augmentation={arm}"], seed, 0.35 + s, gap + s, {"center": 0.36, "ten_crop": 0.34}
        )
        for arm, gap in (("none", 0.25), ("paper", 0.06))
        for seed, s in enumerate((0.0, 0.01, 0.02))
    ]
    comparison = compare(records, claim_id="C5")
    assert [s.setting for s in comparison.settings] == [{}]
    assert len(comparison.records) == 6
    (setting,) = comparison.settings
    assert setting.verdict["verdict"] == "reproduced"
    assert setting.verdict["effect"] == pytest.approx(0.19)
    assert [a.label for a in setting.arms] == ["paper", "none"]
    views = compare(records, claim_id="C7")  # the same records, C7's arms: one per view
    assert len(views.records) == 12
