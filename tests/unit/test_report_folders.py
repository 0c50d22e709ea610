"""``alexnet-lab-report DIR`` on a folder of several sweeps refuses, pointing at ``--all``."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from alexnet_lab.record.files import write_record
from alexnet_lab.results.report import main as report_main
from tests.records import curve, make_record


def write_sweep(folder: Path, arms: tuple[str, ...], marked: bool = True) -> None:
    for i, arm in enumerate(arms):
        write_record(folder / str(i) / "record.json", make_record([arm], i, curve(3 + i)))
    if marked:
        (folder / "multirun.yaml").write_text("hydra: {}\n")


def test_a_folder_of_two_sweeps_and_a_run_is_refused_and_nothing_is_written(tmp_path, capsys):
    parent = tmp_path / "my runs"
    write_sweep(parent / "c3", ("pooling=overlap", "pooling=nonoverlap"))
    write_sweep(parent / "c1", ("activation=relu", "activation=tanh"))
    write_record(parent / "one" / "record.json", make_record(["activation=relu"], 0, curve(2)))
    before = sorted(parent.rglob("*"))

    with pytest.raises(SystemExit) as stopped:
        report_main([str(parent), "--quiet"])
    assert stopped.value.code == 2
    err = " ".join(capsys.readouterr().err.replace("│", " ").split())
    assert "several sweeps" in err and "holds 3 sweeps and runs" in err
    assert "c1, c3, one" in err
    command = err.split("with: ", 1)[1].split(" ;")[0]
    assert shlex.split(command) == ["alexnet-lab-report", "--all", str(parent)]
    assert sorted(parent.rglob("*")) == before  # no summary.json, report.md or figure


def test_one_sweep_one_run_and_an_agents_sweep_are_still_reported(tmp_path):
    from alexnet_lab.folders.layout import parts

    sweep = tmp_path / "sweep"
    write_sweep(sweep, ("pooling=overlap", "pooling=nonoverlap"))
    agent = tmp_path / "wandb-sweep-abc"  # runs one level down, no multirun.yaml
    write_sweep(agent, ("pooling=overlap", "pooling=nonoverlap"), marked=False)
    run = tmp_path / "run"
    write_record(run / "record.json", make_record(["pooling=overlap"], 0, curve(2)))
    assert parts(sweep) == parts(agent) == parts(run) == []
    report_main([str(sweep), "--quiet"])
    assert (sweep / "summary.json").exists()
    assert sorted(parts(tmp_path)) == sorted([agent, run, sweep])


def test_runs_moved_aside_by_replace_are_left_out_of_the_paper_report(tmp_path):
    from alexnet_lab.results.page.paper_report import find_sweeps

    write_sweep(tmp_path / "c3", ("pooling=overlap", "pooling=nonoverlap"))
    write_sweep(tmp_path / "c3.replaced-20261130-120000", ("pooling=overlap", "pooling=nonoverlap"))
    assert find_sweeps(tmp_path) == [tmp_path / "c3"]
