"""LightningDataModules for data sets small enough to keep in memory as bytes.

Images stay uint8 (N, C, H, W) in memory; each batch becomes float input on the device, after
transfer, with the training set's per-channel mean subtracted (the paper's only preprocessing)
at the configured scale. Validation is the official test split.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from alexnet_lab.data.scaling import apply_scale, channel_stats, check_scale
from alexnet_lab.data.sources import load_cifar10, load_fashion_mnist
from alexnet_lab.data.transforms import random_crop_flip


def deterministic_subset(
    images: torch.Tensor, labels: torch.Tensor, size: int | None, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the first ``size`` items of a fixed permutation (all items when size is None)."""
    if size is None or size >= len(labels):
        return images, labels
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))[:size]
    order, _ = order.sort()
    return images[order], labels[order]


class InMemoryDataModule(pl.LightningDataModule):
    """Base class: subclasses implement :meth:`load_split` returning uint8 images and labels."""

    num_classes: int = 10

    def __init__(
        self,
        name: str,
        scale: str = "raw",
        batch_size: int = 128,
        train_size: int | None = None,
        val_size: int | None = None,
        subset_seed: int = 0,
        num_workers: int = 0,
        target_error: float | None = None,
        crop: int | None = None,
        flip: bool = False,
    ) -> None:
        super().__init__()
        self.crop, self.flip = crop, flip
        self.name = name
        self.scale = check_scale(scale)
        self.batch_size = batch_size
        self.train_size, self.val_size = train_size, val_size
        self.subset_seed = subset_seed
        self.num_workers = num_workers
        self.target_error = target_error
        self.train_set: TensorDataset | None = None
        self.val_set: TensorDataset | None = None
        self.mean = torch.zeros(1)
        self.std = torch.ones(1)
        # splits read by prepare_data, reused by setup in the same process (under DDP the
        # other ranks read them in setup)
        self._read: dict[bool, tuple[torch.Tensor, torch.Tensor]] = {}

    # -- what subclasses provide -------------------------------------------------------
    def load_split(self, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (uint8 images N x C x H x W, int64 labels) of one split."""
        raise NotImplementedError

    @property
    def shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one stored image."""
        raise NotImplementedError

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) the model sees: the crop size when training crops."""
        channels, height, width = self.shape
        return (channels, self.crop, self.crop) if self.crop else (channels, height, width)

    # -- Lightning hooks -----------------------------------------------------------------
    def prepare_data(self) -> None:
        """Fetch or stage the files once (global rank 0 only, under DDP)."""
        for train in (True, False):
            self._read[train] = self.load_split(train)

    def setup(self, stage: str | None = None) -> None:
        """Load both splits into memory and compute the training set's channel statistics."""
        if self.train_set is not None:
            return
        train_split = self._read.pop(True, None) or self.load_split(train=True)
        val_split = self._read.pop(False, None) or self.load_split(train=False)
        x_train, y_train = deterministic_subset(*train_split, self.train_size, self.subset_seed)
        x_val, y_val = deterministic_subset(*val_split, self.val_size, self.subset_seed + 1)
        self.mean, self.std = channel_stats(x_train)
        self.train_set = TensorDataset(x_train, y_train)
        self.val_set = TensorDataset(x_val, y_val)

    def train_dataloader(self) -> DataLoader:
        """Shuffled mini-batches of the training split."""
        assert self.train_set is not None, "call setup() first"
        return self._loader(self.train_set, shuffle=True)

    def val_dataloader(self) -> DataLoader:
        """The validation split (the official test split), in order."""
        assert self.val_set is not None, "call setup() first"
        return self._loader(self.val_set, shuffle=False)

    def test_dataloader(self) -> DataLoader:
        """The same split as validation: the paper reports on the official test/val set."""
        return self.val_dataloader()

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        """Turn the uint8 batch into float input at the configured scale, on the device.

        Training batches also get their random crops and flips here; validation and test
        batches stay whole, and the module takes its test views (centre or ten crops).
        """
        images, labels = batch
        images = self.normalize(images)
        trainer = getattr(self, "trainer", None)
        if trainer is not None and trainer.training and (self.crop or self.flip):
            images = random_crop_flip(images, self.crop or images.shape[-1], self.flip)
        return images, labels

    # -- helpers -------------------------------------------------------------------------
    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """Apply the configured input scale to a uint8 batch."""
        return apply_scale(images, self.scale, self.mean, self.std)

    def describe(self) -> dict[str, Any]:
        """What the run record says about the data: name, sizes, scale and statistics."""
        return {
            "name": self.name,
            "scale": self.scale,
            "train_size": len(self.train_set) if self.train_set is not None else None,
            "val_size": len(self.val_set) if self.val_set is not None else None,
            "num_classes": self.num_classes,
            "shape": list(self.shape),
            "input_shape": list(self.input_shape),
            "augmentation": {"crop": self.crop, "flip": self.flip},
            "channel_mean": [round(float(v), 4) for v in self.mean],
            "channel_std": [round(float(v), 4) for v in self.std],
        }

    def _loader(self, dataset: TensorDataset, shuffle: bool) -> DataLoader:
        return DataLoader(
            dataset,
            batch_size=self.batch_size,
            shuffle=shuffle,
            num_workers=self.num_workers,
            persistent_workers=self.num_workers > 0,
            pin_memory=torch.cuda.is_available(),
        )


def _resolve_root(root: str | os.PathLike) -> Path:
    return Path(root).expanduser().resolve()


class CIFAR10DataModule(InMemoryDataModule):
    """CIFAR-10 (50,000 train / 10,000 test images, 32x32 RGB) through torchvision."""

    def __init__(self, root: str = "data", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.root = _resolve_root(root)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(3, 32, 32)."""
        return (3, 32, 32)

    def load_split(self, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """Read a split from ``root`` (downloading it when absent and possible)."""
        return load_cifar10(self.root, train)


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
