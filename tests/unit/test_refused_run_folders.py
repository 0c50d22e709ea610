"""A refused run removes what its command made, and nothing else (its folder's note).

Each test runs in ``tmp_path`` (its working folder too): the folder-lock callback notes what
the folder held, Hydra's and the run's files are written as a run writes them, and the
refusal's cleanup then must leave everything that was there before.
"""

import json
import os
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from alexnet_lab.folders.made import FOUND_NAME
from alexnet_lab.folders.unused import (
    discard_unstarted_run,
    discard_unstarted_sweep,
    remove_unused_folder,
)
from alexnet_lab.sweep.hydra_callbacks import FolderLockCallback


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    """Every test works in its own temporary folder, never the repository's."""
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path / "cwd"


def start(folder: str, multirun: bool = False, **values) -> FolderLockCallback:
    """The folder-lock callback's start, as Hydra calls it for a run (or sweep) in ``folder``."""
    config = OmegaConf.create({"hydra": {"run": {"dir": folder}, "sweep": {"dir": folder}}})
    config.update(values)
    callback = FolderLockCallback()
    (callback.on_multirun_start if multirun else callback.on_run_start)(config)
    return callback


def write_run(folder: Path, status: str = "failed") -> None:
    """What Hydra and a refused run write into their folder."""
    (folder / ".hydra").mkdir(parents=True, exist_ok=True)
    (folder / ".hydra" / "config.yaml").write_text("seed: 0\n")
    (folder / "cli.log").write_text("")
    (folder / "record.json").write_text(json.dumps({"status": status}))
    (folder / "wandb").mkdir(exist_ok=True)
    (folder / "wandb" / "debug.log").write_text("x")


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("discard", [discard_unstarted_run, remove_unused_folder])
def test_a_users_own_files_in_the_run_folder_stay(in_tmp, discard):
    run = in_tmp / "run"
    run.mkdir()
    (run / "notes.txt").write_text("mine")
    (run / "data").mkdir()
    start(str(run))
    write_run(run)
    discard(run)
    assert names(run) == {"notes.txt", "data", ".alexnet-lab.lock", FOUND_NAME}
    assert (run / "notes.txt").read_text() == "mine"


def test_hydra_run_dir_dot_keeps_the_working_folder(in_tmp):
    (in_tmp / "train.py").write_text("print(1)")
    (in_tmp / ".hydra").mkdir()  # an earlier run's, there before: kept
    (in_tmp / ".hydra" / "old.yaml").write_text("a: 1\n")
    callback = start(".")
    write_run(in_tmp)
    discard_unstarted_run(Path.cwd())
    callback.on_run_end(OmegaConf.create({}))
    assert in_tmp.is_dir() and Path.cwd() == in_tmp
    assert names(in_tmp) == {"train.py", ".hydra"}  # the note and the lock went at the end
    assert (in_tmp / ".hydra" / "old.yaml").read_text() == "a: 1\n"


def test_a_folder_of_completed_runs_keeps_them(in_tmp):
    runs = in_tmp / "runs"
    for name in ("a", "b"):
        (runs / name).mkdir(parents=True)
        (runs / name / "record.json").write_text(json.dumps({"status": "completed"}))
    start("runs/", resume=True)
    write_run(runs)
    discard_unstarted_run(runs)
    assert names(runs) == {"a", "b", ".alexnet-lab.lock", FOUND_NAME}
    for name in ("a", "b"):
        # raw on purpose: the file must be kept byte for byte (it is no full record to load)
        assert json.loads((runs / name / "record.json").read_text()) == {"status": "completed"}


def test_the_resume_warning_names_the_runs_below_as_kept(in_tmp):
    from alexnet_lab.run.resume import nothing_to_resume_here

    runs = in_tmp / "runs"
    for name in ("a", "b"):
        (runs / name).mkdir(parents=True)
        (runs / name / "record.json").write_text(json.dumps({"status": "completed"}))
    warning = nothing_to_resume_here(runs)
    assert "holds no runs" not in warning
    assert "2 run records (2 completed)" in warning and "kept" in warning
    assert f"hydra.run.dir={runs / 'a'}" in warning


def test_a_folder_the_command_made_goes_with_its_made_parents(in_tmp):
    (in_tmp / "outputs").mkdir()
    (in_tmp / "outputs" / "other").mkdir()
    start("outputs/day/time")
    write_run(in_tmp / "outputs" / "day" / "time")
    discard_unstarted_run(in_tmp / "outputs" / "day" / "time")
    assert names(in_tmp / "outputs") == {"other"}  # day/ was made, outputs/ was not


def test_without_a_note_nothing_is_removed(in_tmp):
    run = in_tmp / "run"
    write_run(run)
    discard_unstarted_run(run)
    assert names(run) == {".hydra", "cli.log", "record.json", "wandb"}


def test_a_sweep_removes_its_refused_job_and_its_own_folder_only_if_made(in_tmp):
    start("multirun/s", multirun=True)
    sweep = in_tmp / "multirun" / "s"
    (sweep / "multirun.yaml").write_text("x")
    write_run(sweep / "0")
    discard_unstarted_run(sweep / "0")
    discard_unstarted_sweep(sweep)
    assert not (in_tmp / "multirun").exists()


def test_a_resumed_sweep_keeps_its_earlier_jobs_and_files(in_tmp):
    sweep = in_tmp / "sweep"
    (sweep / "0").mkdir(parents=True)
    (sweep / "0" / "record.json").write_text(json.dumps({"status": "completed"}))
    (sweep / "1").mkdir()
    (sweep / "1" / "mine.txt").write_text("x")
    (sweep / "multirun.yaml").write_text("x")
    FolderLockCallback()._take(sweep, "hydra.sweep.dir")  # as resume=true's start takes it
    write_run(sweep / "1")
    write_run(sweep / "2")
    discard_unstarted_run(sweep / "1")
    discard_unstarted_run(sweep / "2")
    discard_unstarted_sweep(sweep)
    assert names(sweep) == {"0", "1", "multirun.yaml", ".alexnet-lab.lock", FOUND_NAME}
    assert names(sweep / "1") == {"mine.txt"}
    assert (sweep / "0" / "record.json").exists()


def test_replace_true_leaves_the_note_in_place(in_tmp):
    run = in_tmp / "run"
    run.mkdir()
    (run / "record.json").write_text(json.dumps({"status": "completed"}))
    start(str(run), replace=True)
    assert FOUND_NAME in names(run)
    aside = [p for p in in_tmp.iterdir() if p.name.startswith("run.replaced-")]
    assert len(aside) == 1 and names(aside[0]) == {"record.json"}
    assert os.getpid() == json.loads((run / FOUND_NAME).read_text())["pid"]


def test_a_note_another_command_left_is_not_this_ones(in_tmp):
    run = in_tmp / "run"
    start(str(run))
    note = json.loads((run / FOUND_NAME).read_text())
    (run / FOUND_NAME).write_text(json.dumps({**note, "pid": -1, "made": [str(run)]}))
    write_run(run)
    discard_unstarted_run(run)  # a killed command's note: nothing is removed on its word
    assert {".hydra", "cli.log", "record.json", "wandb"} <= names(run)
