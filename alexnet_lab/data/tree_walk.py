"""The image files below a class folder, as torchvision's ``make_dataset`` finds them.

Except that a link back into the tree is not followed. torchvision walks with
``os.walk(followlinks=True)``: a link such as ``train/a/loop -> ..`` is followed until the
path is too long (about 40 levels), so every image of the split is read again and again, under
class ``a``. Here a linked folder is followed only when it leads outside the folders already
walked (a class folder kept on another disk, say); one that resolves into the split folder, into
a folder already walked or above one is skipped, with a warning naming the link.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

from torchvision.datasets.folder import IMG_EXTENSIONS


def _overlaps(path: str, folders: set[str]) -> bool:
    """Whether ``path`` is one of ``folders``, lies below one, or holds one (real paths)."""
    if any(str(p) in folders for p in (Path(path), *Path(path).parents)):
        return True
    return any(f.startswith(path.rstrip(os.sep) + os.sep) for f in folders)


def walk_folders(top: Path, within: Path | None = None) -> Iterator[tuple[str, list[str]]]:
    """``(folder, file names)`` for ``top`` and every folder below it (as ``os.walk``).

    Links to folders are followed unless they lead into ``within`` (default ``top``), into a
    folder already walked, or above one (all loops, or files read twice); those are skipped
    with a warning naming the link.
    """
    walked = {os.path.realpath(within or top)}
    for root, dirs, files in os.walk(top, followlinks=True):
        walked.add(os.path.realpath(root))
        for name in list(dirs):
            path = os.path.join(root, name)
            if not os.path.islink(path):
                continue
            target = os.path.realpath(path)
            if _overlaps(target, walked):
                dirs.remove(name)
                warnings.warn(
                    f"not following the link {path} -> {target}: it leads back into the "
                    f"image tree ({within or top}), whose files would be read again (under "
                    "this class); remove the link, or replace it by the folder it points to",
                    UserWarning,
                    stacklevel=2,
                )
            else:
                walked.add(target)
        yield root, files


def image_files(class_dir: Path, split_dir: Path) -> list[str]:
    """The image files below ``class_dir`` in torchvision's order (folders sorted, then names)."""
    found = sorted(walk_folders(class_dir, within=split_dir))
    return [
        os.path.join(root, name)
        for root, files in found
        for name in sorted(files)
        if name.lower().endswith(IMG_EXTENSIONS)
    ]
