"""Reading the real data sets from disk through torchvision, with clear offline errors."""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import torch

from alexnet_lab.data.folder_tree import (
    CACHE_NAME,
    cached_tensors,
    check_tree,
    decode_samples,
    find_samples,
    require_folder,
)
from alexnet_lab.data.image_stats import fingerprint, writable_cache_dir
from alexnet_lab.errors import DataUnavailableError, UserError

#: torchvision's CIFAR10 class order (its labels 0..9), which is also the folders' sorted order
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)


def _as_nchw_uint8(data: object) -> torch.Tensor:
    """Convert torchvision's .data (numpy NHWC or tensor NHW) to a uint8 NCHW tensor."""
    tensor = torch.as_tensor(data)
    if tensor.dim() == 3:
        return tensor.unsqueeze(1).contiguous()
    return tensor.permute(0, 3, 1, 2).contiguous()


def load_cifar10(root: Path, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Load a CIFAR-10 split as (uint8 images NCHW, int64 labels), downloading when needed."""
    from torchvision.datasets import CIFAR10

    require_folder(root)
    try:
        ds = CIFAR10(str(root), train=train, download=True)
    except Exception as exc:  # URLError, OSError, RuntimeError: all mean "not here, not fetchable"
        corrupt = corrupt_cifar10_files(root)
        if corrupt:
            folder = root / CIFAR10.base_folder
            raise DataUnavailableError(
                f"CIFAR-10's batch file(s) {', '.join(corrupt)} in {folder} are corrupt (their "
                "MD5 checksum is not CIFAR-10's: a download or copy cut short?), and fetching a "
                f"fresh copy failed ({type(exc).__name__}: {exc}). Replace them: delete "
                f"{folder} and run the command again where the network is reachable, or copy "
                f"an intact cifar-10-batches-py/ folder (or cifar-10-python.tar.gz) into {root}."
            ) from None
        raise DataUnavailableError(
            f"CIFAR-10 is not in {root / 'cifar-10-batches-py'} and downloading it failed "
            f"({type(exc).__name__}: {exc}). Tried: torchvision.datasets.CIFAR10("
            f"root={str(root)!r}, download=True). Fix: on a machine with network access run "
            "the same command once, "
            "or copy the extracted `cifar-10-batches-py/` folder (or cifar-10-python.tar.gz) "
            f"into {root} (set data.root=... or ALEXNET_LAB_DATA to use another folder), or "
            "point data.root=... at a tree of the images, train/<class>/*.jpg and "
            "test/<class>/*.jpg. "
            "To try the toolkit with no network, use data=fashion_mnist (read offline from "
            "Debian's dataset-fashion-mnist package) or data=synthetic."
        ) from None
    return _as_nchw_uint8(ds.data), torch.as_tensor(ds.targets, dtype=torch.long)


def corrupt_cifar10_files(root: Path) -> list[str]:
    """The names of CIFAR-10's batch files in ``root`` whose MD5 is not torchvision's."""
    from torchvision.datasets import CIFAR10
    from torchvision.datasets.utils import check_integrity

    folder = root / CIFAR10.base_folder
    return [
        name
        for name, md5 in [
            *CIFAR10.train_list,
            *CIFAR10.test_list,
            (CIFAR10.meta["filename"], CIFAR10.meta["md5"]),
        ]
        if (folder / name).is_file() and not check_integrity(str(folder / name), md5)
    ]


def cifar10_tree_split(root: Path) -> str | None:
    """The held-out split folder (``test`` or ``val``) of a CIFAR-10 image tree in ``root``.

    None when ``root`` holds no such tree (no ``train/`` beside a ``test/`` or ``val/``).
    """
    if not (root / "train").is_dir():
        return None
    return next((name for name in ("test", "val") if (root / name).is_dir()), None)


def relative(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` as a string (``Path.relative_to``'s, without its cost).

    A split's fingerprint names every file (60,000 for CIFAR-10): string slicing instead of
    two ``Path`` objects per file saves seconds of every run's start.
    """
    text, prefix = str(path), str(root).rstrip(os.sep) + os.sep
    return text[len(prefix) :] if text.startswith(prefix) else str(Path(path).relative_to(root))


def size_and_time(path: str | Path) -> tuple[int, int]:
    """A file's size and modification time (ns), as the fingerprint of a split reads them."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def file_identity(paths: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    """Each path with its size and modification time (ns): a change to any changes the tuple."""
    return tuple((str(p), *size_and_time(p)) for p in paths)


def load_cifar10_tree(
    root: Path, train: bool, cache_dir: str | None = None, workers: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Load a split of a CIFAR-10 ImageFolder tree as (uint8 images NCHW, int64 labels).

    The labels are torchvision's (:data:`CIFAR10_CLASSES` order). The split is decoded once
    (images not 32x32 are brought to it as the paper's resize and centre crop) and cached in
    ``cache_dir`` (default ``root/.alexnet-lab-cache``) under a fingerprint of its files.
    """
    held_out = cifar10_tree_split(root) or "test"
    classes = check_tree(root, val=held_out)
    if tuple(classes) != CIFAR10_CLASSES:
        raise UserError(
            f"{root} is not a CIFAR-10 tree: its classes are {', '.join(classes[:12])}; "
            f"CIFAR-10's are {', '.join(CIFAR10_CLASSES)}. For another tree use "
            "data=imagefolder data.root=..."
        )
    split = "train" if train else held_out
    _, samples = find_samples(root / split)
    if not samples:
        raise DataUnavailableError(f"{root / split} holds no image files.")
    files = [(relative(p, root), y, *size_and_time(p)) for p, y in samples]
    cache = writable_cache_dir(Path(cache_dir) if cache_dir else root / CACHE_NAME)
    path = cache / f"cifar10-{split}-{fingerprint({'files': files, 'size': 32})}.pt"
    jobs = workers if workers is not None else min(8, os.cpu_count() or 1)
    images, labels, _ = cached_tensors(
        path, lambda: decode_samples(samples, 32, jobs, skip_bad=False, where=root)
    )
    return images, labels


def stage_fashion_mnist(root: Path, system_dir: Path) -> bool:
    """Decompress the Debian package's .gz files into ``root/FashionMNIST/raw`` if missing.

    torchvision looks for the extracted IDX files there. Returns True when files were staged.
    Each file is written under a name of this process's and then renamed into place, so a
    parallel sweep's other worker, staging or reading at the same moment, never reads half a
    file (it stages its own copy or finds the whole one).
    """
    from torchvision.datasets import FashionMNIST

    raw = root / "FashionMNIST" / "raw"
    names = [Path(url).name for url, _ in FashionMNIST.resources]  # the .gz names
    if all((raw / name.removesuffix(".gz")).exists() for name in names):
        return False
    if not all((system_dir / name).exists() for name in names):
        return False
    raw.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = raw / name.removesuffix(".gz")
        if target.exists():
            continue
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        with gzip.open(system_dir / name, "rb") as src, open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.replace(partial, target)
    return True


def load_fashion_mnist(
    root: Path, train: bool, system_dir: Path
) -> tuple[torch.Tensor, torch.Tensor]:
    """Load a Fashion-MNIST split, offline from ``system_dir`` when it holds the raw files."""
    from torchvision.datasets import FashionMNIST

    require_folder(root)
    stage_fashion_mnist(root, system_dir)
    try:
        ds = FashionMNIST(str(root), train=train, download=True)
    except Exception as exc:
        raise DataUnavailableError(
            f"Fashion-MNIST is not in {root / 'FashionMNIST' / 'raw'}, not in {system_dir}, and "
            f"downloading it failed ({type(exc).__name__}: {exc}). Fix: install Debian's package "
            "(apt-get update && apt-get install -y dataset-fashion-mnist), which puts the files "
            f"in /usr/share/datasets/fashion-mnist, or copy the four IDX files into {root}/"
            "FashionMNIST/raw. data=synthetic needs no files at all."
        ) from None
    return _as_nchw_uint8(ds.data), torch.as_tensor(ds.targets, dtype=torch.long)
