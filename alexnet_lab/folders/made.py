"""What a command found in its folder before writing there: the rest is what it made.

The folder-lock callback notes, before the lock creates the folder, which folders above it
are missing (the command makes them) and the names in the folder (a run's own files), and for
a sweep in each folder one level below it too (its job folders' files). The note is kept
in the folder as ``.alexnet-lab.found.json`` while the command runs (a parallel worker reads
it there) and removed when the command exits. A run that is refused before its first epoch
then removes exactly what the command made (:mod:`alexnet_lab.folders.unused`): anything that
was there before stays, and a folder it did not make is never removed. Light on purpose (no
torch): the early checks use it before the run's modules load.
"""

from __future__ import annotations

import atexit
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from alexnet_lab.folders.lock import LOCK_NAME

#: the note of what was found, in the locked folder while the command runs
FOUND_NAME = ".alexnet-lab.found.json"


@dataclass
class Found:
    """A locked folder's note: what was there before the command, and the folders it made."""

    root: Path
    #: the folders the command made (the root and missing parents), the deepest first
    made: list[str] = field(default_factory=list)
    #: path relative to the root ("" for the root) -> the names that were in that folder
    names: dict[str, list[str]] = field(default_factory=dict)

    def existed(self, path: Path) -> bool | None:
        """Whether ``path`` (at or below the root) was there before; None: not known."""
        parts = path.relative_to(self.root).parts
        if str(self.root) in self.made:
            return False
        for depth in range(len(parts)):
            listed = self.names.get("/".join(parts[:depth]))
            if listed is None:
                return None
            if parts[depth] not in listed:
                return False
        return True

    def names_in(self, path: Path) -> list[str] | None:
        """The names that were in ``path`` before the command; None: not known."""
        key = "/".join(path.relative_to(self.root).parts)
        return self.names.get(key)


def survey(folder: Path, depth: int = 0) -> Found:
    """What is in ``folder`` now (before the command writes), and which folders are missing.

    ``depth``: how many levels of folders below it are listed too (1 for a sweep's jobs).
    """
    root = Path(os.path.abspath(folder))
    found = Found(root)
    for path in (root, *root.parents):
        if path.exists() or path.is_symlink():
            break
        found.made.append(str(path))
    if root.is_dir():
        _list(root, root, found.names, depth)
    return found


def _list(root: Path, folder: Path, names: dict[str, list[str]], depth: int) -> None:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    names["/".join(folder.relative_to(root).parts)] = [p.name for p in entries]
    if depth:
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                _list(root, entry, names, depth - 1)


def keep(found: Found) -> None:
    """Write ``found`` into its folder (which the lock made) until this process exits."""
    path = found.root / FOUND_NAME
    data = {"pid": os.getpid(), "made": found.made, "names": found.names}
    try:
        path.write_text(json.dumps(data))
    except OSError:
        return  # without a note, a refused run removes nothing
    atexit.register(forget, found.root)


def forget(root: Path) -> None:
    """Remove the note of ``root`` if this process wrote it."""
    path = root / FOUND_NAME
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def read(path: Path) -> Found | None:
    """The note that covers ``path`` (its own folder's or the nearest above); None if none.

    Only this command's note counts: written by this process or by its parent (a parallel
    launcher's worker reads its launcher's).
    """
    path = Path(os.path.abspath(path))
    for folder in (path, *path.parents):
        note = folder / FOUND_NAME
        if not note.is_file():
            continue
        try:
            data = json.loads(note.read_text())
            if data["pid"] not in (os.getpid(), os.getppid()):
                return None  # another command's (left by one that was killed): not this one's
            return Found(folder, list(data["made"]), dict(data["names"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
    return None


#: what the command itself keeps in its folder while it runs (removed at its exit)
OWN = (LOCK_NAME, FOUND_NAME)
