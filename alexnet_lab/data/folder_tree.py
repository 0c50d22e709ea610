"""An ImageFolder tree on disk: its layout checks, its files, and decoding them into uint8 tensors.

``root/<split>/<class>/<image>``, classes sorted by folder name and files found as torchvision's
``ImageFolder`` finds them (``torchvision.datasets.folder.find_classes`` / ``make_dataset``),
except that a link back into the tree is not followed (:mod:`alexnet_lab.data.tree_walk`).
Shared by ``data=imagefolder`` (and ImageNet, Imagenette) and ``data=cifar10`` on a local tree.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from PIL import Image, UnidentifiedImageError
from torch.utils.data import DataLoader, Dataset
from torchvision.datasets.folder import IMG_EXTENSIONS, find_classes
from torchvision.transforms import v2

from alexnet_lab.data.tree_walk import image_files, walk_folders
from alexnet_lab.errors import DataUnavailableError, UserError

CACHE_NAME = ".alexnet-lab-cache"
#: what a file-decoding failure looks like: PIL's own errors, truncated files, bad headers
DECODE_ERRORS = (OSError, UnidentifiedImageError, SyntaxError, ValueError)

Tensors = tuple[torch.Tensor, torch.Tensor, list[str]]


class BadImageError(UserError):
    """An image file in the tree could not be read.

    Raised in a DataLoader worker (``data.in_memory=false``), it comes back to the main
    process re-made by torch from ``"Caught BadImageError in DataLoader worker process 0.
    Original Traceback ..."``: only the paragraph at its end is kept.
    """

    def __init__(self, message: str) -> None:
        if "Original Traceback" in message and f"{type(self).__name__}: " in message:
            message = message.rsplit(f"{type(self).__name__}: ", 1)[1].strip()
        super().__init__(message)


def layout_help(root: Path, val: str = "val") -> str:
    """The expected tree, in words, for error messages."""
    return (
        f"The expected layout is {root}/train/<class>/<image> and {root}/{val}/<class>/<image> "
        "(the layout of PyTorch's ImageNet example; ILSVRC-2012's validation images must be "
        "sorted into class folders, e.g. with that example's valprep.sh), with the same class "
        "folders in both, each holding images as .jpg/.jpeg/.png/... files."
    )


def split_classes(split_dir: Path) -> list[str]:
    """The class folders of a split, sorted (torchvision's ``find_classes``); [] for none."""
    try:
        return find_classes(split_dir)[0]
    except FileNotFoundError:  # torchvision's "Couldn't find any class folder"
        return []


def find_samples(split_dir: Path) -> tuple[list[str], list[tuple[str, int]]]:
    """Sorted class names and (path, class index) of every image file below ``split_dir``.

    torchvision's ``make_dataset``, with empty class folders allowed (the tree check, not the
    file search, says what is wrong with a tree), and with links back into the tree skipped
    (:mod:`alexnet_lab.data.tree_walk`).
    """
    classes, class_to_idx = find_classes(split_dir)
    samples = [
        (path, class_to_idx[name])
        for name in classes
        for path in image_files(split_dir / name, split_dir)
    ]
    return classes, samples


def require_folder(root: Path) -> None:
    """Raise one paragraph when ``root`` (``data.root``) is a file: it must be a folder."""
    if root.exists() and not root.is_dir():
        raise DataUnavailableError(
            f"data.root={root} is a file, not a folder. data.root names the folder that holds "
            "the data set (its files, or its train/ and val/ or test/ image folders): set "
            "data.root=<that folder> (or ALEXNET_LAB_DATA for the folder holding the data sets)."
        )


def check_tree(root: Path, expected_classes: int | None = None, val: str = "val") -> list[str]:
    """Validate an ImageFolder tree and return its class names (one paragraph if it is bad)."""
    require_folder(root)
    if not root.is_dir():
        raise DataUnavailableError(
            f"the image folder {root} does not exist. {layout_help(root, val)} Set "
            "data.root=... (or ALEXNET_LAB_DATA for the folder holding the data sets)."
        )
    missing = [s for s in ("train", val) if not (root / s).is_dir()]
    if missing:
        raise DataUnavailableError(
            f"{root} has no {' and no '.join(missing)} folder. {layout_help(root, val)}"
        )
    train, held_out = split_classes(root / "train"), split_classes(root / val)
    if not train:
        raise DataUnavailableError(
            f"{root / 'train'} holds no class folders. {layout_help(root, val)}"
        )
    if train != held_out:
        only_train = sorted(set(train) - set(held_out))
        only_val = sorted(set(held_out) - set(train))
        raise UserError(
            f"the train and {val} class lists of {root} differ: only in train: "
            f"{', '.join(only_train[:10]) or 'none'}{' ...' if len(only_train) > 10 else ''}; "
            f"only in {val}: {', '.join(only_val[:10]) or 'none'}"
            f"{' ...' if len(only_val) > 10 else ''}. Both must hold the same class folders "
            "(even an empty one counts): add or remove the differing ones."
        )
    empty = [
        f"{split}/{c}"
        for split in ("train", val)
        for c in train
        if not _has_image(root / split / c)
    ]
    if empty:
        raise UserError(
            f"{len(empty)} class folder(s) of {root} hold no image file: "
            f"{', '.join(empty[:10])}{' ...' if len(empty) > 10 else ''}. A class with no "
            "training images cannot be learned, and one with no held-out images cannot be "
            "measured (its error would read as 0). Add images (.jpg, .jpeg, .png, ...) to "
            "them, or remove the class from both train and "
            f"{val}."
        )
    if expected_classes is not None and len(train) != expected_classes:
        raise UserError(
            f"{root} holds {len(train)} classes where {expected_classes} are expected. "
            f"{layout_help(root, val)}"
        )
    return train


def _has_image(folder: Path) -> bool:
    """True when ``folder`` (or one below it) holds an image file, as torchvision finds them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # find_samples warns about the links it skips
        found = list(walk_folders(folder, within=folder.parent))
    for _, files in found:
        if any(f.lower().endswith(IMG_EXTENSIONS) for f in files):
            return True
    return False


def paper_resize(image_size: int) -> Callable[[Any], torch.Tensor]:
    """The paper's preprocessing: shorter side to ``image_size``, centre square, uint8 CHW."""
    return v2.Compose(
        [
            v2.Resize(image_size, antialias=True),
            v2.CenterCrop(image_size),
            v2.PILToTensor(),
        ]
    )


class ImageFileDataset(Dataset):
    """Decodes image files into the paper's fixed-size uint8 squares.

    A file that cannot be decoded raises :class:`BadImageError` naming it, or, with
    ``skip_bad``, yields None, which :meth:`collate_fn` drops (with a warning naming it).
    """

    def __init__(
        self,
        samples: list[tuple[str, int]],
        image_size: int,
        skip_bad: bool = False,
        channels: int = 3,
    ) -> None:
        self.samples = samples
        self.image_size = image_size
        self.skip_bad = skip_bad
        self.mode = "RGB" if channels == 3 else "L"
        self.transform = paper_resize(image_size)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int] | None:
        path, label = self.samples[index]
        try:
            with Image.open(path) as file:
                image = file.convert(self.mode)
            return self.transform(image), label
        except DECODE_ERRORS as exc:
            if self.skip_bad:
                warnings.warn(f"skipping unreadable image {path} ({exc})", stacklevel=1)
                return None
            raise BadImageError(
                f"cannot read the image {path} ({type(exc).__name__}: {exc}). Remove or "
                "replace the file, or set data.skip_bad_images=true to skip such files (the "
                "run record counts them)."
            ) from None

    @staticmethod
    def collate_fn(
        items: list[tuple[torch.Tensor, int] | None],
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Stack a batch, leaving out the files that could not be read."""
        kept = [item for item in items if item is not None]
        if not kept:
            return torch.empty(0, dtype=torch.uint8), torch.empty(0, dtype=torch.long)
        return torch.stack([x for x, _ in kept]), torch.tensor([y for _, y in kept])


def _keep_items(items: list[Any]) -> list[Any]:
    return items


def decode_samples(
    samples: list[tuple[str, int]], image_size: int, workers: int, skip_bad: bool, where: Path
) -> Tensors:
    """Decode every file once with DataLoader workers: (images, labels, unreadable paths).

    An unreadable file stops with one :class:`BadImageError` naming the first few, unless
    ``skip_bad``, which leaves them out with a warning.
    """
    dataset = ImageFileDataset(samples, image_size, skip_bad=True)
    loader = DataLoader(dataset, batch_size=64, num_workers=workers, collate_fn=_keep_items)
    images = torch.empty(len(samples), 3, image_size, image_size, dtype=torch.uint8)
    labels = torch.empty(len(samples), dtype=torch.long)
    keep = torch.zeros(len(samples), dtype=torch.bool)
    i = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bad files are reported below, all at once
        for batch in loader:
            for item in batch:
                if item is not None:
                    images[i], labels[i] = item
                    keep[i] = True
                i += 1
    bad = [samples[j][0] for j in range(len(samples)) if not keep[j]]
    if bad and not skip_bad:
        raise BadImageError(
            f"{len(bad)} image file(s) of {where} cannot be read, e.g. {bad[0]}"
            + (f" (also: {', '.join(bad[1:4])})" if len(bad) > 1 else "")
            + ". Remove or replace them, or set data.skip_bad_images=true to skip such "
            "files (the run record counts them)."
        )
    if bad:
        warnings.warn(f"skipped {len(bad)} unreadable image(s), e.g. {bad[0]}", stacklevel=2)
    return images[keep], labels[keep], bad


def cached_tensors(path: Path, decode: Callable[[], Tensors]) -> Tensors:
    """The decoded split stored at ``path``; else ``decode()`` it once and store it there."""
    if path.exists():
        try:
            cached = torch.load(path, weights_only=True)
            return cached["images"], cached["labels"], list(cached["skipped"])
        except Exception as exc:
            warnings.warn(f"decoding again: the cache {path} is unreadable ({exc})", stacklevel=2)
    images, labels, skipped = decode()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"images": images, "labels": labels, "skipped": skipped}, tmp)
    tmp.replace(path)
    return images, labels, skipped
