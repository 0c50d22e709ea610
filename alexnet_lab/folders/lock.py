"""An advisory lock: a sweep (or run) folder belongs to one launching process at a time.

The lock is the file ``.alexnet-lab.lock`` in the folder, holding JSON with its owner's host,
PID, start time and command. It is created atomically (a complete temporary file hard-linked
into place, which fails when the lock exists), released when its owner exits, and a stale lock
(same host, owner no longer alive) is taken over with a warning. A lock held by a process on
another host cannot be checked from here: it is respected until removed by hand.
"""

from __future__ import annotations

import atexit
import json
import os
import shlex
import socket
import sys
import tempfile
import warnings
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from alexnet_lab.record.files import file_mode

LOCK_NAME = ".alexnet-lab.lock"


class FolderLocked(Exception):
    """The folder is locked by another live process; the message says by whom and what to do."""


@dataclass(frozen=True)
class LockOwner:
    """Who holds a lock: host, PID, when it started and its command line."""

    host: str
    pid: int
    started: str
    command: str

    @classmethod
    def me(cls) -> LockOwner:
        """The current process as a lock owner."""
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        command = shlex.join(["alexnet-lab", *sys.argv[1:]])
        return cls(socket.gethostname(), os.getpid(), started, command)


def pid_alive(pid: int) -> bool:
    """Whether a process with this PID exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def read_owner(lock: Path) -> LockOwner | None:
    """The owner recorded in ``lock``; None when it is gone or unreadable."""
    try:
        data = json.loads(lock.read_text())
        return LockOwner(str(data["host"]), int(data["pid"]), str(data["started"]), data["command"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _create(lock: Path, owner: LockOwner) -> bool:
    """Create ``lock`` holding ``owner``, atomically; False when it already exists."""
    fd, tmp = tempfile.mkstemp(dir=lock.parent, prefix=".alexnet-lab.lock.")
    os.fchmod(fd, file_mode())  # readable by whoever may read the folder, as any new file
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(asdict(owner), fh)
        os.link(tmp, lock)  # atomic, and fails when the lock exists
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)


def process_command(pid: int) -> str | None:
    """The command line of process ``pid`` on this host (``/proc``); None where unknown."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    parts = [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    return shlex.join(parts) if parts else None  # empty: a zombie, or not yet started


def _is_alexnet_lab(command: str) -> bool:
    """Whether a process's command line is this toolkit's (the CLI, its module, its tests)."""
    return "alexnet-lab" in command or "alexnet_lab" in command


def _refusal(folder: Path, holder: LockOwner | None) -> str:
    folder = folder.resolve()
    lock = folder / LOCK_NAME
    now_running = process_command(holder.pid) if holder and _this_host(holder) else None
    if holder and now_running is not None and not _is_alexnet_lab(now_running):
        # the PID was reused: say what runs under it now, not what took the lock
        return (
            f"{lock} names process {holder.pid}, which took it at {holder.started} for "
            f"`{holder.command}`; that PID now belongs to another program ({now_running}), so "
            "the lock is most likely left over from a command that is gone. This command "
            f"started nothing. If no alexnet-lab command is writing into {folder}, delete "
            f"{lock} and run this command again."
        )
    who = (
        f"process {holder.pid} on host {holder.host} (started {holder.started}: {holder.command})"
        if holder
        else "another process (its lock file is unreadable)"
    )
    return (
        f"{folder} is in use by {who}. Two commands writing into one folder would replace each "
        "other's runs, so this one started nothing. Wait for that command to finish (then "
        "resume=true continues it), or give this command its own folder (hydra.sweep.dir=... "
        f"for a sweep, hydra.run.dir=... for a run). If that process is gone, delete {lock}."
    )


def _this_host(owner: LockOwner) -> bool:
    return owner.host == socket.gethostname()


def acquire(folder: Path, owner: LockOwner | None = None) -> LockOwner:
    """Lock ``folder`` for ``owner`` (this process); raise :class:`FolderLocked` when held.

    A lock left by a process of this host that is no longer alive is taken over, with a warning.
    """
    owner = owner or LockOwner.me()
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / LOCK_NAME
    for _ in range(3):
        if _create(lock, owner):
            return owner
        holder = read_owner(lock)
        if holder == owner:
            return owner
        if holder is None or holder.host != socket.gethostname() or pid_alive(holder.pid):
            raise FolderLocked(_refusal(folder, holder))
        # stale: move it aside atomically, so that only one taker removes it
        aside = lock.with_name(f"{LOCK_NAME}.stale.{owner.pid}")
        try:
            os.replace(lock, aside)
        except FileNotFoundError:
            continue
        if read_owner(aside) != holder:  # another taker's fresh lock: put it back
            os.replace(aside, lock)
            raise FolderLocked(_refusal(folder, read_owner(lock)))
        aside.unlink()
        warnings.warn(
            f"{lock} was left by process {holder.pid} on this host ({holder.command}), which "
            "is no longer running: taken over",
            UserWarning,
            stacklevel=2,
        )
    raise FolderLocked(_refusal(folder, read_owner(lock)))


def held_by_another_live_command(folder: Path) -> bool:
    """Whether another alexnet-lab process of this host holds ``folder``'s lock now."""
    holder = read_owner(folder / LOCK_NAME)
    if holder is None or not _this_host(holder) or holder.pid == os.getpid():
        return False
    command = process_command(holder.pid)
    return pid_alive(holder.pid) and (command is None or _is_alexnet_lab(command))


def release(folder: Path, owner: LockOwner) -> None:
    """Remove ``folder``'s lock if ``owner`` still holds it (never another process's)."""
    lock = folder / LOCK_NAME
    if read_owner(lock) == owner:
        lock.unlink(missing_ok=True)


def hold(folder: Path) -> LockOwner:
    """Lock ``folder`` for this process until it exits (or :func:`release`)."""
    owner = acquire(folder)
    atexit.register(release, folder, owner)
    return owner
