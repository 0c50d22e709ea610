"""Files written whole or not at all: records, summary.json, report.md, figures, the results page.

Every file the toolkit writes for a reader goes through :func:`atomic_path`: it is written to a
temporary file in the same folder, then renamed over its name (``os.replace``, atomic on one
file system). A full disk, a crash or Ctrl-C part-way leaves the previous file as it was (or no
file) and removes the temporary one, never a file cut short.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: in the name of every temporary file: ``.<name>.<random>.partial<suffix>``
PARTIAL = ".partial"


def file_mode() -> int:
    """The mode a plain new file gets under the process's umask (``0o666 & ~umask``)."""
    try:  # Linux: read it without changing it (os.umask would, for a moment, in every thread)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; renamed to ``path`` when the block succeeds.

    The temporary file keeps ``path``'s suffix (matplotlib reads the format from it) and gets
    the umask's mode (not mkstemp's 0600). On any exception, KeyboardInterrupt included, it is
    removed and the exception goes on.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=PARTIAL + path.suffix
    )
    tmp = Path(name)
    try:
        os.fchmod(fd, file_mode())
        os.close(fd)
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def copy_file(source: Path, path: Path) -> None:
    """Copy ``source``'s bytes to ``path`` atomically."""
    with atomic_path(path) as tmp:
        shutil.copyfile(source, tmp)


def remove_partial(folder: Path) -> list[Path]:
    """Remove temporary files left in ``folder`` by an interrupted write; return them."""
    left = [p for p in Path(folder).glob(f".*{PARTIAL}*") if p.is_file()]
    for p in left:
        with contextlib.suppress(OSError):
            p.unlink()
    return left
