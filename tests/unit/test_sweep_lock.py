"""The advisory folder lock: one launching process per sweep (or run) folder."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from alexnet_lab.console import say_end
from alexnet_lab.errors import CommandEnd
from alexnet_lab.folders import lock as sweep_lock
from alexnet_lab.folders.lock import LOCK_NAME, FolderLocked, LockOwner


def owner(pid: int, host: str | None = None, command: str = "alexnet-lab -m optim.lr=1,2"):
    return LockOwner(host or socket.gethostname(), pid, "2026-01-01T00:00:00+00:00", command)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def write_lock(folder: Path, holder: LockOwner) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LOCK_NAME).write_text(json.dumps(holder.__dict__))


def test_acquire_writes_the_owner_and_release_removes_it(tmp_path):
    folder = tmp_path / "sweep"
    me = sweep_lock.acquire(folder)
    data = json.loads((folder / LOCK_NAME).read_text())
    assert data["pid"] == me.pid and data["host"] == socket.gethostname()
    assert data["command"] and data["started"]
    assert sweep_lock.acquire(folder, me) == me  # the owner itself may take it again
    sweep_lock.release(folder, me)
    assert not (folder / LOCK_NAME).exists()
    assert not list(folder.iterdir())  # no temporary files left


def test_a_lock_held_by_a_live_process_is_refused_naming_it(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(sweep_lock, "process_command", lambda pid: "python -m alexnet_lab -m")

    holder = owner(os.getppid(), command="alexnet-lab -m optim.lr=0.1,0.3")
    write_lock(tmp_path, holder)
    with pytest.raises(FolderLocked) as info:
        sweep_lock.acquire(tmp_path, owner(os.getpid()))
    message = str(info.value)
    assert f"process {holder.pid} on host {holder.host}" in message
    assert "alexnet-lab -m optim.lr=0.1,0.3" in message and "hydra.sweep.dir" in message
    assert sweep_lock.read_owner(tmp_path / LOCK_NAME) == holder  # left as it was


def test_a_lock_of_another_host_is_respected(tmp_path):
    write_lock(tmp_path, owner(dead_pid(), host="elsewhere.example"))
    with pytest.raises(FolderLocked, match="elsewhere.example"):
        sweep_lock.acquire(tmp_path)


def test_an_unreadable_lock_is_respected(tmp_path):
    (tmp_path / LOCK_NAME).write_text("{")
    with pytest.raises(FolderLocked, match="unreadable"):
        sweep_lock.acquire(tmp_path)


def test_a_stale_lock_is_taken_over_with_a_warning(tmp_path):
    write_lock(tmp_path, owner(dead_pid()))
    with pytest.warns(UserWarning, match="no longer running: taken over"):
        me = sweep_lock.acquire(tmp_path)
    assert sweep_lock.read_owner(tmp_path / LOCK_NAME) == me
    assert [p.name for p in tmp_path.iterdir()] == [LOCK_NAME]


def test_release_leaves_another_process_lock_alone(tmp_path):
    import os

    other = owner(os.getppid())
    write_lock(tmp_path, other)
    sweep_lock.release(tmp_path, owner(os.getpid()))
    assert sweep_lock.read_owner(tmp_path / LOCK_NAME) == other


def callback_config(folder: Path):
    from omegaconf import OmegaConf

    return OmegaConf.create({"hydra": {"run": {"dir": str(folder)}, "sweep": {"dir": str(folder)}}})


def test_the_callback_refuses_a_held_folder_with_exit_2_and_one_paragraph(
    tmp_path, capsys, monkeypatch
):
    import os

    monkeypatch.setattr(sweep_lock, "process_command", lambda pid: "python -m alexnet_lab -m")

    from alexnet_lab.sweep.hydra_callbacks import FolderLockCallback

    write_lock(tmp_path, owner(os.getppid(), command="alexnet-lab -m seed=1,2"))
    for start in ("on_run_start", "on_multirun_start"):
        with pytest.raises(CommandEnd) as info:
            getattr(FolderLockCallback(), start)(callback_config(tmp_path))
        say_end(info.value)  # what the command's entry point prints
        assert info.value.code == 2
        err = "".join(capsys.readouterr().err.replace("│", "").split())
        assert "folderinuse" in err and "alexnet-lab-mseed=1,2" in err


def test_the_callback_holds_and_releases_and_secondary_ranks_take_nothing(tmp_path, monkeypatch):
    from alexnet_lab.sweep.hydra_callbacks import FolderLockCallback

    callback, config = FolderLockCallback(), callback_config(tmp_path / "run")
    callback.on_run_start(config)
    assert sweep_lock.read_owner(tmp_path / "run" / LOCK_NAME).pid == os_pid()
    callback.on_run_end(config)
    assert not (tmp_path / "run" / LOCK_NAME).exists()
    monkeypatch.setenv("RANK", "1")
    FolderLockCallback().on_multirun_start(callback_config(tmp_path / "other"))
    assert not (tmp_path / "other").exists()


def os_pid() -> int:
    import os

    return os.getpid()
