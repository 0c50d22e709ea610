"""ImageNet-style data sets: an ImageFolder tree, ILSVRC-2012 and Imagenette.

Any ``root/{train,val}/<class>/<image>`` tree is prepared as the paper (section 2): shorter
side rescaled to ``image_size`` (256), the central square cropped, stored as uint8.

A tree small enough for memory (``in_memory: auto`` below ``in_memory_max_gb``) is decoded
once, with DataLoader workers, and cached as a tensor file beside the data; a larger one
(ILSVRC-2012) is decoded on the fly by workers each epoch. Either way the training set's
statistics (mean image, channel spread, RGB PCA) are computed once and cached.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from alexnet_lab.data.datamodules import ImageDataModule
from alexnet_lab.data.folder_tree import (
    CACHE_NAME,
    BadImageError,
    ImageFileDataset,
    cached_tensors,
    check_tree,
    decode_samples,
    find_samples,
    layout_help,
    require_folder,
)
from alexnet_lab.data.image_stats import (
    ImageStats,
    StatsAccumulator,
    compute_stats,
    fingerprint,
    load_stats,
    save_stats,
    tensor_batches,
    writable_cache_dir,
)
from alexnet_lab.data.tensor_sets import BatchTensorDataset, subset_indices
from alexnet_lab.errors import DataUnavailableError, UserError

__all__ = ["BadImageError", "ImageFolderDataModule", "ImageNetDataModule", "ImagenetteDataModule"]


class ImageFolderDataModule(ImageDataModule):
    """Any ``root/train/<class>/*`` + ``root/val/<class>/*`` tree (PyTorch's ImageNet layout).

    Classes are the tree's folders (sorted, as torchvision's ImageFolder); ``image_size``
    (the paper's 256) is the stored square, null for the tree's own size (the shorter side of
    the first training image).
    """

    def __init__(
        self,
        root: str,
        image_size: int | None = 256,
        in_memory: str | bool = "auto",
        in_memory_max_gb: float = 8.0,
        skip_bad_images: bool = False,
        expected_classes: int | None = None,
        cache_dir: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.root = Path(root).expanduser().resolve()
        self.requested_size = image_size
        self.in_memory_option = in_memory
        self.in_memory_max_gb = in_memory_max_gb
        self.skip_bad_images = skip_bad_images
        self.expected_classes = expected_classes
        self.cache_option = cache_dir
        self.skipped: list[str] = []
        self._classes: list[str] | None = None
        self._samples: dict[str, list[tuple[str, int]]] = {}
        self._image_size: int | None = None
        self._keys: dict[str, str] = {}

    # -- the tree ------------------------------------------------------------------------
    def ensure_tree(self) -> None:
        """Make the tree exist (subclasses download here); the base class only checks it."""

    @property
    def classes(self) -> list[str]:
        """The class folders, checked against the val split."""
        if self._classes is None:
            self.ensure_tree()
            self._classes = check_tree(self.root, self.expected_classes)
        return self._classes

    @property
    def num_classes(self) -> int:  # type: ignore[override]
        """Number of class folders in the tree."""
        return len(self.classes)

    def samples(self, split: str) -> list[tuple[str, int]]:
        """(path, label) of the configured subset of a split, in a fixed order."""
        if split not in self._samples:
            require_folder(self.root)  # a file: say so (torchvision: NotADirectoryError)
            classes, found = find_samples(self.root / split)
            if not found:
                raise DataUnavailableError(
                    f"{self.root / split} holds no image files. {layout_help(self.root)}"
                )
            if classes != self.classes:
                check_tree(self.root)  # raises, naming the differing classes
            size = self.train_size if split == "train" else self.val_size
            seed = self.subset_seed + (0 if split == "train" else 1)
            chosen = subset_indices(len(found), size, seed).tolist()
            self._samples[split] = [found[i] for i in chosen]
        return self._samples[split]

    @property
    def image_size(self) -> int:
        """The stored square's side: configured, or the first training image's shorter side."""
        if self._image_size is None:
            if self.requested_size:
                self._image_size = int(self.requested_size)
            else:
                path = self.samples("train")[0][0]
                with Image.open(path) as image:
                    self._image_size = min(image.size)
        return self._image_size

    @property
    def shape(self) -> tuple[int, int, int]:
        """(3, image_size, image_size)."""
        return (3, self.image_size, self.image_size)

    @property
    def in_memory(self) -> bool:  # type: ignore[override]
        """Whether both splits are decoded once and kept as tensors."""
        if isinstance(self.in_memory_option, bool):
            return self.in_memory_option
        if self.in_memory_option != "auto":
            raise UserError(f"data.in_memory={self.in_memory_option!r}: use true, false or auto.")
        n = len(self.samples("train")) + len(self.samples("val"))
        return n * 3 * self.image_size**2 <= self.in_memory_max_gb * 2**30

    @property
    def cache_dir(self) -> Path:
        """Where decoded images and statistics are cached: beside the data when writable."""
        preferred = Path(self.cache_option) if self.cache_option else self.root / CACHE_NAME
        return writable_cache_dir(preferred)

    def split_key(self, split: str) -> str:
        """A fingerprint of a split's files (path, size, mtime) and the stored size."""
        if split in self._keys:
            return self._keys[split]
        files = []
        for path, label in self.samples(split):
            stat = Path(path).stat()
            files.append(
                (str(Path(path).relative_to(self.root)), label, stat.st_size, stat.st_mtime_ns)
            )
        self._keys[split] = fingerprint({"files": files, "image_size": self.image_size})
        return self._keys[split]

    # -- Lightning hooks -----------------------------------------------------------------
    def prepare_data(self) -> None:
        """Check (or download) the tree, decode it into the cache, compute its statistics."""
        if self.in_memory:
            for split in ("train", "val"):
                self._decoded(split)
        self._cached_stats()

    def build_sets(self) -> tuple[Dataset, Dataset]:
        """In memory: the cached tensors; else datasets that decode files with workers."""
        if self.in_memory:
            train = BatchTensorDataset(*self._decoded("train"))
            val = BatchTensorDataset(*self._decoded("val"))
            return train, val
        return (
            ImageFileDataset(self.samples("train"), self.image_size, self.skip_bad_images),
            ImageFileDataset(self.samples("val"), self.image_size, self.skip_bad_images),
        )

    def compute_stats(self) -> ImageStats:
        """The training set's statistics, from the cache when it has them."""
        return self._cached_stats()

    def describe(self) -> dict[str, Any]:
        """The base description plus the tree, its storage and the files skipped."""
        info = super().describe()
        info.update(
            root=str(self.root),
            image_size=self.image_size,
            in_memory=self.in_memory,
            skipped_images=len(self.skipped),
            skipped_examples=self.skipped[:5],
        )
        return info

    # -- decoding and caching --------------------------------------------------------------
    def _decoded(self, split: str) -> tuple[torch.Tensor, torch.Tensor]:
        path = self.cache_dir / f"{split}-{self.split_key(split)}.pt"
        images, labels, skipped = cached_tensors(path, lambda: self._decode_all(split))
        self.skipped.extend(p for p in skipped if p not in self.skipped)
        return images, labels

    def _decode_all(self, split: str) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
        """Decode a split's files once with DataLoader workers; collect the unreadable ones."""
        return decode_samples(
            self.samples(split),
            self.image_size,
            self.num_workers_for_decoding(),
            self.skip_bad_images,
            self.root,
        )

    def num_workers_for_decoding(self) -> int:
        """Workers that decode files: the configured count, else up to 8."""
        if self.requested_workers is not None:
            return int(self.requested_workers)
        return min(8, os.cpu_count() or 1)

    def _cached_stats(self) -> ImageStats:
        key = fingerprint({"train": self.split_key("train")})
        path = self.cache_dir / f"stats-{key}.pt"
        stats = load_stats(path)
        if stats is None:
            if self.in_memory:
                stats = compute_stats(tensor_batches(self._decoded("train")[0]))
            else:
                stats = self._stream_stats()
            save_stats(path, stats)
        return stats

    def _stream_stats(self) -> ImageStats:
        """One decoding pass over the training files (the first run on a large tree)."""
        dataset = ImageFileDataset(self.samples("train"), self.image_size, self.skip_bad_images)
        loader = DataLoader(
            dataset,
            batch_size=256,
            num_workers=self.num_workers_for_decoding(),
            collate_fn=ImageFileDataset.collate_fn,
        )
        acc = StatsAccumulator()
        for images, _ in loader:
            if len(images):
                acc.add(images)
        return acc.result()


class ImageNetDataModule(ImageFolderDataModule):
    """ILSVRC-2012 in the ImageFolder layout: 1000 class folders in train/ and val/."""

    def __init__(self, expected_classes: int | None = 1000, **kwargs: Any) -> None:
        super().__init__(expected_classes=expected_classes, **kwargs)

    def ensure_tree(self) -> None:
        """ImageNet cannot be downloaded by a script: name the layout when it is missing."""
        if not (self.root / "train").is_dir():
            raise DataUnavailableError(
                f"ILSVRC-2012 is not in {self.root}. Download it from image-net.org (it needs "
                "an account; no script can fetch it), extract it so that "
                f"{self.root}/train/n01440764/*.JPEG and {self.root}/val/n01440764/*.JPEG "
                "exist (validation images sorted into their class folders, e.g. with the "
                "valprep.sh of PyTorch's ImageNet example), and set data.root=<that folder>. "
                "For a small ImageNet subset use data=imagenette."
            )


class ImagenetteDataModule(ImageFolderDataModule):
    """Imagenette (10 easy ImageNet classes) through torchvision, downloaded when absent."""

    def __init__(self, root: str = "data", size: str = "320px", **kwargs: Any) -> None:
        self.download_root = Path(root).expanduser().resolve()
        self.variant = size
        folder = {"full": "imagenette2", "320px": "imagenette2-320", "160px": "imagenette2-160"}
        if size not in folder:
            raise UserError(f"data.size={size!r}: use one of {', '.join(folder)}.")
        super().__init__(root=str(self.download_root / folder[size]), **kwargs)

    def ensure_tree(self) -> None:
        """Download and extract Imagenette with torchvision unless it is already there."""
        if (self.root / "train").is_dir() and (self.root / "val").is_dir():
            return
        from torchvision.datasets import Imagenette

        try:
            for split in ("train", "val"):
                Imagenette(str(self.download_root), split=split, size=self.variant, download=True)
        except Exception as exc:
            raise DataUnavailableError(
                f"Imagenette ({self.variant}) is not in {self.root} and downloading it failed "
                f"({type(exc).__name__}: {exc}). Tried: torchvision.datasets.Imagenette("
                f"root={str(self.download_root)!r}, size={self.variant!r}, download=True). Fix: "
                "run the same command once on a machine with network access, or extract "
                f"imagenette2-{self.variant}.tgz from fast.ai into {self.download_root} "
                "(data.root=... chooses the folder). With no network at all, point "
                "data=imagefolder data.root=... at any train/<class>/ + val/<class>/ tree."
            ) from None
