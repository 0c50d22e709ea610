"""LightningDataModules: the input side shared by every data set.

Every data set yields uint8 batches (N, C, H, W), through a DataLoader or, for in-memory
splits on a GPU, from tensors kept on the device (``data.resident``, :mod:`.resident`). On
the device, after transfer, each batch becomes float input with the training set's mean
subtracted (the paper's only preprocessing: the mean image by default, ``mean=channel`` per
channel) at the configured scale; training batches then get their random crops, flips and
PCA lighting as whole-batch tensor operations.
Validation is the official test split (the paper reports on ILSVRC's validation set), and
a fixed training subset seen the same way (``train_eval_error``, :mod:`.train_eval`).
"""

from __future__ import annotations

import os
from typing import Any

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from alexnet_lab.choices import check_mean, check_resident, check_scale
from alexnet_lab.data.image_stats import ImageStats
from alexnet_lab.data.resident import ResidentBatches
from alexnet_lab.data.scaling import apply_scale, unit_to_input
from alexnet_lab.data.tensor_sets import BatchTensorDataset, already_batched
from alexnet_lab.data.train_eval import TRAIN_EVAL_SEED, fixed_subset
from alexnet_lab.data.transforms import center_crop, random_crop_flip, random_pca_lighting
from alexnet_lab.errors import UserError
from alexnet_lab.record.files import chance_error


class ImageDataModule(pl.LightningDataModule):
    """The input side every data set shares: statistics, batch transforms, loaders.

    Subclasses provide :meth:`shape`, :meth:`build_sets` and :meth:`compute_stats`.
    Training augmentation (all per image, drawn from torch's seeded generator):
    ``crop`` (the size the model sees; random crops with ``random_crop``, else the centre),
    ``flip`` (horizontal, p=1/2) and ``lighting`` (PCA lighting, alpha ~ N(0, lighting_std)).
    """

    num_classes: int = 10
    #: data sets decoded from files keep their statistics in a cache (see stats.py)
    in_memory: bool = True

    def __init__(
        self,
        name: str,
        scale: str = "raw",
        mean: str = "pixel",
        batch_size: int = 128,
        train_size: int | None = None,
        val_size: int | None = None,
        subset_seed: int = 0,
        num_workers: int | None = None,
        target_error: float | None = None,
        crop: int | None = None,
        random_crop: bool = True,
        flip: bool = False,
        lighting: bool = False,
        lighting_std: float = 0.1,
        crop_size: int | None = None,
        center_crop: int | None = None,
        resident: bool | str = "auto",
        train_eval: bool = True,
    ) -> None:
        super().__init__()
        del crop_size, center_crop  # the augmentation group reads these from the data config
        self.name = name
        self.scale = check_scale(scale)
        self.mean_kind = check_mean(mean)
        # the statistics on the training device (on_device), with the ones they copy
        self._device_copies: dict[str, Any] = {}
        self.batch_size = batch_size
        self.train_size, self.val_size = train_size, val_size
        #: whether validation also measures the fixed training subset (``train_eval_error``)
        self.train_eval = train_eval
        self.subset_seed = subset_seed
        self.requested_workers = num_workers
        self.target_error = target_error
        self.crop, self.random_crop, self.flip = crop, random_crop, flip
        self.lighting, self.lighting_std = lighting, lighting_std
        self.resident = check_resident(resident)
        self._on_device: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        self.train_set: Dataset | None = None
        self.val_set: Dataset | None = None
        self._train_eval_set: tuple[Dataset, Dataset] | None = None
        self.stats: ImageStats | None = None

    # -- what subclasses provide -------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one stored image."""
        raise NotImplementedError

    def build_sets(self) -> tuple[Dataset, Dataset]:
        """The training and validation data sets, yielding uint8 images and int labels."""
        raise NotImplementedError

    def compute_stats(self) -> ImageStats:
        """Statistics of the training set (after :meth:`build_sets`)."""
        raise NotImplementedError

    # -- derived -------------------------------------------------------------------------
    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) the model sees: the crop size when training crops."""
        channels, height, width = self.shape
        if self.crop and self.crop > min(height, width):
            raise UserError(
                f"the crop size {self.crop} is larger than the {self.name} images "
                f"({height}x{width}). Set data.image_size to at least {self.crop}, or a "
                f"smaller crop (augmentation.crop=...), or augmentation=none."
            )
        return (channels, self.crop, self.crop) if self.crop else (channels, height, width)

    @property
    def num_workers(self) -> int:
        """DataLoader workers: as configured, else 0 in memory and up to 8 decoding files.

        An in-memory batch is one tensor index, which a worker would only copy once more.
        """
        if self.requested_workers is not None:
            return int(self.requested_workers)
        return 0 if self.in_memory else min(8, os.cpu_count() or 1)

    def resident_device(self) -> torch.device | None:
        """The device the splits live on while training (``data.resident``), else None.

        ``auto``: the trainer's device when it is a GPU and the run is one process (DDP's
        ranks each need their shard, which the DistributedSampler of a DataLoader draws).
        Only in-memory splits can live there; files streamed from disk cannot.
        """
        trainer = getattr(self, "trainer", None)
        strategy = getattr(trainer, "strategy", None)  # None: no Trainer has attached yet
        if strategy is None or self.resident is False:
            return None
        why_not = None
        if not isinstance(self.train_set, BatchTensorDataset):
            why_not = f"{self.name} is read from files, not held in memory"
        elif strategy.world_size > 1:
            why_not = "a DDP run shards its data with a DistributedSampler"
        if why_not:
            if self.resident is True:
                raise UserError(
                    f"data.resident=true cannot keep the data on the device: {why_not}. "
                    "Use data.resident=auto (it falls back to the DataLoader) or false."
                )
            return None
        device = strategy.root_device
        return device if self.resident is True or device.type == "cuda" else None

    @property
    def mean(self) -> torch.Tensor:
        """The mean subtracted from every image (0-255 units)."""
        return self.stats.mean(self.mean_kind) if self.stats else torch.zeros(1)

    @property
    def std(self) -> torch.Tensor:
        """Per-channel standard deviation (0-255 units)."""
        return self.stats.channel_std if self.stats else torch.ones(1)

    # -- Lightning hooks -----------------------------------------------------------------
    def setup(self, stage: str | None = None) -> None:
        """Build both splits and the training set's statistics (once per process)."""
        if self.train_set is not None:
            return
        self.train_set, self.val_set = self.build_sets()
        self.stats = self.compute_stats()

    def train_dataloader(self) -> DataLoader | ResidentBatches:
        """Shuffled mini-batches of the training split."""
        assert self.train_set is not None, "call setup() first"
        return self._loader(self.train_set, shuffle=True)

    def val_dataloader(self) -> list[DataLoader | ResidentBatches]:
        """The validation split (:meth:`test_dataloader`), then the training subset in eval mode.

        The training subset only where the run measures it (``train_eval``).
        """
        if not self.train_eval:
            return [self.test_dataloader()]
        return [self.test_dataloader(), self.train_eval_dataloader()]

    def test_dataloader(self) -> DataLoader | ResidentBatches:
        """The validation split, in order: the paper reports on the official test/val set."""
        assert self.val_set is not None, "call setup() first"
        return self._loader(self.val_set, shuffle=False)

    def train_eval_set(self) -> Dataset:
        """The fixed training subset of ``train_eval_error`` (:mod:`.train_eval`)."""
        assert self.train_set is not None, "call setup() first"
        if self._train_eval_set is None or self._train_eval_set[0] is not self.train_set:
            self._train_eval_set = (self.train_set, fixed_subset(self.train_set))
        return self._train_eval_set[1]

    def train_eval_dataloader(self) -> DataLoader | ResidentBatches:
        """:meth:`train_eval_set` in order, seen as validation sees its images.

        It draws from its own generator, never the global one: every run's random stream (its
        shuffles, crops, dropout) stays as it would be without it.
        """
        return self._loader(self.train_eval_set(), shuffle=False, own_generator=True)

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        """Turn the uint8 batch into float input at the configured scale, on the device.

        Training batches also get their crops, flips and PCA lighting here; validation and
        test batches stay whole, and the module takes its test views (centre or ten crops).
        """
        images, labels = batch
        images = self.normalize(images)
        trainer = getattr(self, "trainer", None)
        if trainer is not None and trainer.training:
            images = self.augment(images)
        return images, labels

    # -- helpers -------------------------------------------------------------------------
    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """Apply the configured mean subtraction and input scale to a uint8 batch."""
        mean, std = self.on_device("mean", images.device), self.on_device("std", images.device)
        return apply_scale(images, self.scale, mean, std)

    def on_device(self, name: str, device: torch.device) -> torch.Tensor:
        """A statistic of the training set on ``device``, copied there once, not per batch.

        ``name``: ``mean``, ``std``, ``eigvals``, ``eigvecs`` or ``lighting`` (the lighting's
        factor from the 0-1 scale to the input's units). The copies follow the statistics:
        new ones (a new setup) are copied anew.
        """
        copies = self._device_copies
        if copies.get("stats") is not self.stats or copies.get("device") != device:
            values = {"mean": self.mean, "std": self.std}
            if self.stats is not None:
                values["eigvals"], values["eigvecs"] = self.stats.eigvals, self.stats.eigvecs
                values["lighting"] = unit_to_input(self.scale, self.stats.channel_std)
            copies = {k: v.to(device) for k, v in values.items()}
            self._device_copies = {**copies, "stats": self.stats, "device": device}
        return self._device_copies[name]

    def augment(self, images: torch.Tensor) -> torch.Tensor:
        """The training views of a normalized batch: crop, flip, PCA lighting, per image."""
        if self.crop and self.random_crop:
            images = random_crop_flip(images, self.crop, self.flip)
        else:
            if self.crop:
                images = center_crop(images, self.crop)
            if self.flip:
                images = random_crop_flip(images, images.shape[-1], flip=True)
        if self.lighting:
            assert self.stats is not None
            device = images.device
            images = random_pca_lighting(
                images,
                self.on_device("eigvals", device),
                self.on_device("eigvecs", device),
                self.lighting_std,
                self.on_device("lighting", device),
            )
        return images

    def describe(self) -> dict[str, Any]:
        """What the run record says about the data: name, sizes, scale and statistics."""
        stats = self.stats
        return {
            "name": self.name,
            "scale": self.scale,
            "mean": self.mean_kind,
            "train_size": len(self.train_set) if self.train_set is not None else None,  # type: ignore[arg-type]
            "val_size": len(self.val_set) if self.val_set is not None else None,  # type: ignore[arg-type]
            "num_classes": self.num_classes,
            "shape": list(self.shape),
            "input_shape": list(self.input_shape),
            "augmentation": {
                "crop": self.crop,
                "random_crop": bool(self.crop and self.random_crop),
                "flip": self.flip,
                "lighting": self.lighting_std if self.lighting else None,
            },
            "channel_mean": [round(float(v), 4) for v in stats.channel_mean] if stats else None,
            "channel_std": [round(float(v), 4) for v in stats.channel_std] if stats else None,
            "pca_eigvals": [float(f"{v:.4g}") for v in stats.eigvals] if stats else None,
            "chance_error": self.chance_error(),
            "num_workers": self.num_workers,
            "resident": str(device) if (device := self.resident_device()) else None,
        }

    def train_labels(self) -> list[int] | None:
        """The training split's labels without decoding images (None before setup)."""
        dataset = self.train_set
        if isinstance(dataset, BatchTensorDataset):
            return dataset.labels.tolist()
        samples = getattr(dataset, "samples", None)  # a data set of (path, label) files
        return [label for _, label in samples] if samples is not None else None

    def chance_error(self) -> float:
        """The training error of always answering the most frequent training class."""
        return round(chance_error(self.train_labels() or [], self.num_classes), 6)

    def _loader(
        self, dataset: Dataset, shuffle: bool, own_generator: bool = False
    ) -> DataLoader | ResidentBatches:
        generator = torch.Generator().manual_seed(TRAIN_EVAL_SEED) if own_generator else None
        device = self.resident_device()
        if device is not None and isinstance(dataset, BatchTensorDataset):
            if id(dataset) not in self._on_device:  # copied once per split
                self._on_device[id(dataset)] = (
                    dataset.images.to(device),
                    dataset.labels.to(device),
                )
            return ResidentBatches(
                *self._on_device[id(dataset)], self.batch_size, shuffle, generator=generator
            )
        workers = self.num_workers
        extra: dict[str, Any] = {}
        if isinstance(dataset, BatchTensorDataset):
            extra["collate_fn"] = already_batched
        elif hasattr(dataset, "collate_fn"):
            extra["collate_fn"] = dataset.collate_fn
        return DataLoader(
            dataset,
            batch_size=self.batch_size,
            shuffle=shuffle,
            num_workers=workers,
            persistent_workers=workers > 0,
            pin_memory=torch.cuda.is_available(),
            generator=generator,
            **extra,
        )
