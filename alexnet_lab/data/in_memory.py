"""The data sets kept in memory as uint8 tensors: their base, CIFAR-10, Fashion-MNIST, synthetic."""

from __future__ import annotations

import os
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

from alexnet_lab.data.datamodules import ImageDataModule
from alexnet_lab.data.image_stats import ImageStats, compute_stats, tensor_batches
from alexnet_lab.data.sources import (
    cifar10_tree_split,
    file_identity,
    load_cifar10,
    load_cifar10_tree,
    load_fashion_mnist,
)
from alexnet_lab.data.split_memo import remembered
from alexnet_lab.data.tensor_sets import BatchTensorDataset, deterministic_subset
from alexnet_lab.errors import UserError

#: where data=cifar10 reads from (``data.source``)
CIFAR10_SOURCES = ("auto", "torchvision", "folder")


def _resolve_root(root: str | os.PathLike) -> Path:
    return Path(root).expanduser().resolve()


class InMemoryDataModule(ImageDataModule):
    """Data sets small enough to keep as uint8 tensors: subclasses implement ``load_split``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # splits read by prepare_data, reused by setup in the same process (under DDP the
        # other ranks read them in setup)
        self._read: dict[bool, tuple[torch.Tensor, torch.Tensor]] = {}

    def load_split(self, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (uint8 images N x C x H x W, int64 labels) of one split."""
        raise NotImplementedError

    def split_key(self, train: bool) -> Hashable | None:
        """What defines a split's tensors, for :mod:`.split_memo` (None: read it every time)."""
        return None

    def read_split(self, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`load_split`, or the same split an earlier job of this process read."""
        return remembered(self.split_key(train), lambda: self.load_split(train))

    def prepare_data(self) -> None:
        """Fetch or stage the files once (global rank 0 only, under DDP)."""
        for train in (True, False):
            self._read[train] = self.read_split(train)

    def build_sets(self) -> tuple[Dataset, Dataset]:
        """Both splits as in-memory tensors (the configured subsets)."""
        train_split = self._read.pop(True, None) or self.read_split(train=True)
        val_split = self._read.pop(False, None) or self.read_split(train=False)
        x_train, y_train = deterministic_subset(*train_split, self.train_size, self.subset_seed)
        x_val, y_val = deterministic_subset(*val_split, self.val_size, self.subset_seed + 1)
        return BatchTensorDataset(x_train, y_train), BatchTensorDataset(x_val, y_val)

    def compute_stats(self) -> ImageStats:
        """One pass over the in-memory training images (well under a second for CIFAR-10)."""
        assert isinstance(self.train_set, BatchTensorDataset)
        return compute_stats(tensor_batches(self.train_set.images))


class CIFAR10DataModule(InMemoryDataModule):
    """CIFAR-10 (50,000 train / 10,000 test images, 32x32 RGB), from either of two sources.

    ``source=torchvision``: torchvision's files in ``root/cifar-10-batches-py`` (downloaded when
    absent). ``source=folder``: an ImageFolder tree of the images, ``root/train/<class>/*`` and
    ``root/test/<class>/*`` (or ``val/``), classes airplane..truck, decoded once and cached as
    tensors (in ``cache_dir``, default ``root/.alexnet-lab-cache``). ``source=auto`` (the
    default): the tree when ``root`` holds one, else torchvision's files.
    """

    def __init__(
        self,
        root: str = "data",
        source: str = "auto",
        cache_dir: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.root = _resolve_root(root)
        if source not in CIFAR10_SOURCES:
            raise UserError(
                f"data.source={source!r}: use auto (a train/ + test/ image tree in data.root "
                "when there is one, else torchvision's files), torchvision or folder."
            )
        if source == "auto":
            source = "folder" if cifar10_tree_split(self.root) else "torchvision"
        self.source = source
        self.cache_option = cache_dir

    @property
    def shape(self) -> tuple[int, int, int]:
        """(3, 32, 32)."""
        return (3, 32, 32)

    def split_key(self, train: bool) -> Hashable | None:
        """The source, folder and split, and the files' sizes and times (the tree: its folders')."""
        if self.source == "folder":
            held_out = cifar10_tree_split(self.root) or "test"
            folder = self.root / ("train" if train else held_out)
            where = (folder, *sorted(folder.iterdir())) if folder.is_dir() else (folder,)
            return ("cifar10", "folder", str(self.cache_option), file_identity(where))
        files = self.root / "cifar-10-batches-py"
        found = sorted(files.iterdir()) if files.is_dir() else []
        if not found:  # nothing to read yet: downloaded by the first read, keyed from then on
            return None
        return ("cifar10", "torchvision", train, file_identity(found))

    def load_split(self, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """Read a split from ``root``: the image tree, or torchvision's files (downloading)."""
        if self.source == "folder":
            workers = self.requested_workers
            return load_cifar10_tree(self.root, train, self.cache_option, workers)
        return load_cifar10(self.root, train)

    def describe(self) -> dict[str, Any]:
        """The base description plus where the images came from."""
        return {**super().describe(), "root": str(self.root), "source": self.source}


class FashionMNISTDataModule(InMemoryDataModule):
    """Fashion-MNIST (60,000 / 10,000 grey 28x28 images), zero-padded to ``pad_to`` pixels."""

    def __init__(
        self,
        root: str = "data",
        system_dir: str = "/usr/share/datasets/fashion-mnist",
        pad_to: int = 32,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.root = _resolve_root(root)
        self.system_dir = Path(system_dir)
        self.pad_to = pad_to

    @property
    def shape(self) -> tuple[int, int, int]:
        """(1, pad_to, pad_to)."""
        return (1, self.pad_to, self.pad_to)

    def split_key(self, train: bool) -> Hashable | None:
        """The padding and the split's IDX files (sizes and times) once they are staged."""
        prefix = "train" if train else "t10k"
        raw = self.root / "FashionMNIST" / "raw"
        files = [raw / f"{prefix}-images-idx3-ubyte", raw / f"{prefix}-labels-idx1-ubyte"]
        if not all(f.is_file() for f in files):  # staged by the first read
            return None
        return ("fashion_mnist", self.pad_to, file_identity(files))

    def load_split(self, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """Read a split, staging Debian's offline copy into ``root`` when needed."""
        images, labels = load_fashion_mnist(self.root, train, self.system_dir)
        pad = self.pad_to - images.shape[-1]
        if pad > 0:
            images = F.pad(images, (pad // 2, pad - pad // 2, pad // 2, pad - pad // 2))
        return images, labels


class SyntheticDataModule(InMemoryDataModule):
    """Deterministic random images: each class a fixed random pattern blended with noise."""

    def __init__(
        self,
        num_classes: int = 10,
        channels: int = 3,
        image_size: int = 32,
        train_size: int = 512,
        val_size: int = 256,
        noise: float = 0.5,
        generator_seed: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(train_size=train_size, val_size=val_size, **kwargs)
        self.num_classes = num_classes
        self.channels, self.image_size = channels, image_size
        self.noise, self.generator_seed = noise, generator_seed

    @property
    def shape(self) -> tuple[int, int, int]:
        """(channels, image_size, image_size)."""
        return (self.channels, self.image_size, self.image_size)

    def load_split(self, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """Generate a split; the same seed always gives the same bytes."""
        g = torch.Generator().manual_seed(self.generator_seed)
        prototypes = torch.rand(self.num_classes, *self.shape, generator=g)
        g.manual_seed(self.generator_seed + (1 if train else 2))
        n = self.train_size if train else self.val_size
        assert n is not None
        labels = torch.randint(self.num_classes, (n,), generator=g)
        noise = torch.rand(n, *self.shape, generator=g)
        images = (1 - self.noise) * prototypes[labels] + self.noise * noise
        return (images * 255).round().to(torch.uint8), labels
