"""User text (folder names, overrides) is printed as it is: never read as rich markup."""

import json

import pytest

from alexnet_lab.record.files import write_record
from alexnet_lab.results.report import build_report, main
from tests.records import curve, make_record

MARKUP = "a[/b]c[x]d[bold]e"


def flat(text: str) -> str:
    return "".join(text.replace("│", "").split())


@pytest.fixture
def sweep(tmp_path):
    folder = tmp_path / MARKUP
    for i, (arm, seed) in enumerate([("overlap", 0), ("nonoverlap", 0)]):
        record = make_record([f"pooling={arm}", "data.root=/x[/b]"], seed, curve(3), select=())
        write_record(folder / str(i) / "record.json", record)
    return folder


def test_a_report_into_a_folder_named_like_markup_prints_its_paths(sweep, capsys):
    summary = build_report(sweep)
    out = flat(capsys.readouterr().out)
    assert flat(f"report: {sweep / 'report.md'}") in out
    assert json.loads((sweep / "summary.json").read_text())["arms"] == summary["arms"]


def test_the_report_command_on_such_a_folder_exits_0(sweep, capsys):
    main([str(sweep)])
    assert flat(str(sweep / "report.md")) in flat(capsys.readouterr().out)


def test_the_paper_table_prints_its_folder_as_it_is(tmp_path, capsys):
    from alexnet_lab.results.formats.terminal import print_paper_table

    row = {"claim": "C1", "paper": "6x", "measured": "2x", "verdict": "[x]", "sweep": MARKUP}
    print_paper_table([row], tmp_path / MARKUP)
    out = flat(capsys.readouterr().out)
    assert flat(f"report: {tmp_path / MARKUP / 'paper_report.md'}") in out
    assert f"[x]{MARKUP}" in out.replace("┃", "")


def test_the_toolkits_warnings_are_one_plain_line_and_the_libraries_keep_their_form():
    from alexnet_lab.quiet import format_own_warnings_plainly as shown

    text = "resume=true: runs/x holds no runs: everything trains from scratch"
    ours = shown(UserWarning(text), UserWarning, "/x/alexnet_lab/run/resume.py", 9)
    assert ours == f"warning: {text}\n"
    theirs = shown(UserWarning("lib"), UserWarning, "/x/site-packages/lib.py", 3, "")
    assert theirs.startswith("/x/site-packages/lib.py:3: UserWarning: lib")
    # torch's C++ warnings (a sync under torch.cuda.set_sync_debug_mode) name our line
    sync = "called a synchronizing CUDA operation (Triggered internally at CUDAFunctions.cpp:1)"
    located = shown(UserWarning(sync), UserWarning, "/x/alexnet_lab/engines/stacked/loop.py", 7, "")
    assert located.startswith("/x/alexnet_lab/engines/stacked/loop.py:7: UserWarning: called")
