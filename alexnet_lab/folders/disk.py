"""A full disk: recognised in any exception, and said in one paragraph instead of tracebacks."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from alexnet_lab.overrides import shell_join

#: what the operating system says when a write finds no room (disk full, quota exceeded)
FULL = (errno.ENOSPC, errno.EDQUOT)
#: a sweep stops when less than this is free after a job failed on a full disk: the next job's
#: first files (Hydra's .hydra/, the record) would not fit either
STILL_FULL_BYTES = 1 << 20


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an exception it was raised from or during, is a full disk."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in FULL:
            return True
        if "No space left on device" in str(exc) or "Disk quota exceeded" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def still_full(folder: Path) -> bool:
    """Whether the disk of ``folder`` (or its nearest existing parent) has almost no room."""
    folder = Path(folder)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free < STILL_FULL_BYTES
    except OSError:
        return True


def disk_full_paragraph(output_dir: Path, exc: BaseException | None, unsaved: str | None) -> str:
    """The run in ``output_dir`` stopped on a full disk: what was kept, what was not."""
    cause = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
    kept = (
        f"Its record could not be saved either: {unsaved}."
        if unsaved
        else "Its record (record.json) says `failed` and why."
    )
    return (
        f"the disk of {output_dir} is full: the run there failed{cause}. {kept} Free space on "
        f"that disk ({shell_join(['df', '-h', str(output_dir)])} shows it), or give the command "
        "a folder on another disk."
    )
