"""A file where a sweep's (or run's) folder belongs, ``${`` in its name, or any other failure
to lock it: one paragraph, exit 2, nothing left behind (not Hydra's traceback or warning)."""

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from alexnet_lab.console import say_end
from alexnet_lab.errors import CommandEnd
from alexnet_lab.folders import lock as sweep_lock
from alexnet_lab.folders.checks import folder_problem
from alexnet_lab.sweep.hydra_callbacks import FolderLockCallback


def config(folder: str):
    return OmegaConf.create({"hydra": {"run": {"dir": folder}, "sweep": {"dir": folder}}})


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def test_a_file_at_or_above_the_folder_is_named(tmp_path):
    (tmp_path / "file").write_text("x")
    assert folder_problem(tmp_path / "fresh" / "sub", "hydra.run.dir") is None
    assert folder_problem(tmp_path, "hydra.run.dir") is None
    at = folder_problem(tmp_path / "file", "hydra.sweep.dir")
    assert at == (
        f"hydra.sweep.dir={tmp_path / 'file'}: {tmp_path / 'file'} is a file, not a folder. "
        "Nothing was written. Give hydra.sweep.dir= another folder and run the command again."
    )
    below = folder_problem(tmp_path / "file" / "sub" / "deeper", "hydra.run.dir")
    assert below is not None
    assert f"{tmp_path / 'file'} is a file, so {tmp_path / 'file/sub/deeper'} cannot" in below


def test_a_folder_name_with_an_interpolation_is_refused(tmp_path):
    problem = folder_problem(tmp_path / "d${x}", "hydra.sweep.dir")
    assert problem is not None and "containing `${`" in problem


@pytest.mark.parametrize("start", ["on_run_start", "on_multirun_start"])
@pytest.mark.parametrize("where", ["file", "file/sub", "d\\${x}"])
def test_the_callback_exits_2_with_a_paragraph_and_writes_nothing(tmp_path, capsys, start, where):
    (tmp_path / "file").write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(CommandEnd) as info:
        getattr(FolderLockCallback(), start)(config(f"{tmp_path}/{where}"))
    say_end(info.value)  # what the command's entry point prints
    assert info.value.code == 2
    err = flat(capsys.readouterr().err)
    assert "cannot use folder" in err and "Nothing was written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "file").read_text() == "x"


def test_any_other_locking_failure_is_a_paragraph_and_exit_2(tmp_path, capsys, monkeypatch):
    def fail(folder: Path):
        folder.mkdir(parents=True)
        raise PermissionError(13, "Permission denied", str(folder / sweep_lock.LOCK_NAME))

    monkeypatch.setattr(sweep_lock, "hold", fail)
    with pytest.raises(CommandEnd) as info:
        FolderLockCallback().on_multirun_start(config(str(tmp_path / "sweep")))
    say_end(info.value)  # what the command's entry point prints
    assert info.value.code == 2
    err = flat(capsys.readouterr().err)
    assert "cannot be locked for this command (PermissionError" in err
    assert not (tmp_path / "sweep").exists()  # the folder it made is gone again
