"""In-memory data resident on the training device, served to a stack of models at once.

The uint8 training and validation sets are copied to the device once. Every batch is then a
tensor index, the mean subtraction and scaling of the sequential path
(:func:`alexnet_lab.data.scaling.apply_scale`), and the crops, flips and PCA lighting of
``ImageDataModule.augment`` as whole-batch operations over every member's images together.
No DataLoader runs per step.

**The same batches as the sequential path.** Each member owns a CPU ``torch.Generator`` whose
state is the global RNG state its sequential run would have after ``seed_everything(seed)``
and ``build_model`` (see ``alexnet_lab.engines.stacked.loop``). From it the member replays, in
order, every draw the sequential run's global RNG makes per epoch:

1. ``iter(train DataLoader)``: ``_BaseDataLoaderIter`` draws its base seed (one int64);
2. the first batch: ``RandomSampler`` draws an int64 seed for a fresh generator, and the
   epoch's order is ``torch.randperm(n)`` from it (:meth:`DeviceData.epoch_order`);
3. each training batch: ``random_crop_flip`` draws tops, lefts, then the flips, and
   ``random_pca_lighting`` its alphas (:meth:`DeviceData.train_batch`);
4. ``iter(val DataLoader)``: one more base-seed draw (:meth:`DeviceData.validation_draw`).

On the CPU this gives bit-identical orders and crops (the equivalence test checks the
resulting training errors). Random draws are made on the CPU and sent to the device, so a CUDA
stack sees the same crops as a CPU one; a sequential CUDA run draws its crops from the CUDA
generator instead: same distribution, other numbers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

from alexnet_lab.data.resident import int64_draw, shuffled_order
from alexnet_lab.data.scaling import apply_scale, unit_to_input
from alexnet_lab.data.transforms import center_crop, pca_lighting


def to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """A CPU tensor copied to ``device``; to a GPU from pinned memory, without waiting.

    A plain copy from pageable memory makes the host wait until the device has finished all
    the work queued before it; a pinned source lets the copy queue behind that work instead.
    """
    if device.type != "cuda":
        return tensor.to(device)
    return tensor.pin_memory().to(device, non_blocking=True)


@dataclass
class DeviceData:
    """A training and a validation split on one device, with the datamodule's preprocessing."""

    train_images: torch.Tensor  # uint8 (N, C, H, W)
    train_labels: torch.Tensor  # int64 (N,)
    val_images: torch.Tensor
    val_labels: torch.Tensor
    mean: torch.Tensor
    std: torch.Tensor
    scale: str
    batch_size: int
    crop: int | None = None
    random_crop: bool = True
    flip: bool = False
    lighting: bool = False
    lighting_std: float = 0.1
    eigvals: torch.Tensor | None = None
    eigvecs: torch.Tensor | None = None
    #: the fixed training subset of ``train_eval_error`` (``data.train_eval``), uint8
    train_eval_images: torch.Tensor | None = None
    train_eval_labels: torch.Tensor | None = None

    @classmethod
    def from_datamodule(cls, datamodule: object, device: torch.device | str) -> DeviceData:
        """Copy a set-up ``InMemoryDataModule``'s splits and statistics to ``device``."""
        dm = datamodule
        train, val = dm.train_set, dm.val_set  # type: ignore[attr-defined]
        measured = getattr(dm, "train_eval", True)
        subset = dm.train_eval_set() if measured else None  # type: ignore[attr-defined]
        stats = dm.stats  # type: ignore[attr-defined]
        return cls(
            train_images=train.images.to(device),
            train_labels=train.labels.to(device),
            val_images=val.images.to(device),
            val_labels=val.labels.to(device),
            mean=dm.mean.to(device),  # type: ignore[attr-defined]
            std=dm.std.to(device),  # type: ignore[attr-defined]
            scale=dm.scale,  # type: ignore[attr-defined]
            batch_size=int(dm.batch_size),  # type: ignore[attr-defined]
            crop=dm.crop,  # type: ignore[attr-defined]
            random_crop=bool(dm.random_crop),  # type: ignore[attr-defined]
            flip=bool(dm.flip),  # type: ignore[attr-defined]
            lighting=bool(dm.lighting),  # type: ignore[attr-defined]
            lighting_std=float(dm.lighting_std),  # type: ignore[attr-defined]
            eigvals=stats.eigvals.to(device) if stats is not None else None,
            eigvecs=stats.eigvecs.to(device) if stats is not None else None,
            train_eval_images=subset.images.to(device) if subset is not None else None,
            train_eval_labels=subset.labels.to(device) if subset is not None else None,
        )

    @property
    def device(self) -> torch.device:
        """Where the images live."""
        return self.train_images.device

    @property
    def train_size(self) -> int:
        """Number of training images."""
        return int(self.train_labels.shape[0])

    def steps_per_epoch(self) -> int:
        """Mini-batches per epoch (the last one may be smaller, as the DataLoader's)."""
        return -(-self.train_size // self.batch_size)

    # -- shuffling -----------------------------------------------------------------------
    def epoch_order(self, generator: torch.Generator) -> torch.Tensor:
        """One member's order of the training set for the next epoch (steps 1-2 above)."""
        int64_draw(generator)  # the DataLoader iterator's base seed
        return shuffled_order(self.train_size, generator)  # RandomSampler's seed, randperm

    def validation_draw(self, generator: torch.Generator) -> None:
        """The draw of iterating the validation DataLoader once (step 4 above)."""
        int64_draw(generator)

    def batch_indices(self, orders: torch.Tensor) -> Iterator[torch.Tensor]:
        """Split (M, N) per-member orders into (M, B) index batches on the device."""
        orders = orders.to(self.device)
        for start in range(0, self.train_size, self.batch_size):
            yield orders[:, start : start + self.batch_size]

    # -- batches -------------------------------------------------------------------------
    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """Mean subtraction and scale of uint8 images (..., C, H, W), as the sequential path."""
        flat = images.reshape(-1, *images.shape[-3:])
        return apply_scale(flat, self.scale, self.mean, self.std).view(images.shape)

    def train_batch(
        self, index: torch.Tensor, generators: Sequence[torch.Generator]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Float training input (M, B, C, h, w) and labels (M, B) for per-member indices."""
        members, batch = index.shape
        images = self.normalize(self.train_images[index])
        flat = images.flatten(0, 1)
        if self.crop and self.random_crop:
            flat = self._crop_flip(flat, self.crop, self.flip, generators, batch)
        else:
            if self.crop:
                flat = center_crop(flat, self.crop)
            if self.flip:
                flat = self._crop_flip(flat, flat.shape[-1], True, generators, batch)
        if self.lighting:
            assert self.eigvals is not None and self.eigvecs is not None
            alphas = [
                torch.randn(batch, self.eigvals.shape[0], generator=g) * self.lighting_std
                for g in generators
            ]
            alpha = to_device(torch.cat(alphas), self.device)
            flat = pca_lighting(
                flat, self.eigvals, self.eigvecs, alpha, unit_to_input(self.scale, self.std)
            )
        return flat.view(members, batch, *flat.shape[1:]), self.train_labels[index]

    def _crop_flip(
        self,
        images: torch.Tensor,
        size: int,
        flip: bool,
        generators: Sequence[torch.Generator],
        batch: int,
    ) -> torch.Tensor:
        """``random_crop_flip`` over (M*B) images, each member drawing from its generator."""
        _, c, h, w = images.shape
        draws = torch.zeros(3, len(generators), batch, dtype=torch.long)  # tops, lefts, flips
        for i, g in enumerate(generators):  # the order random_crop_flip draws in
            draws[0, i] = torch.randint(0, h - size + 1, (batch,), generator=g)
            draws[1, i] = torch.randint(0, w - size + 1, (batch,), generator=g)
            if flip:
                draws[2, i] = torch.rand(batch, generator=g) < 0.5
        device = images.device
        top, left, mirrored = to_device(draws.flatten(1), device)  # one copy for all three
        steps = torch.arange(size, device=device)
        rows = (top[:, None] + steps)[:, None, :, None]
        cols = (left[:, None] + steps)[:, None, None, :]
        index = torch.arange(images.shape[0], device=device)[:, None, None, None]
        channel = torch.arange(c, device=device)[None, :, None, None]
        crops = images[index, channel, rows, cols]
        if flip:
            crops = torch.where(mirrored.bool()[:, None, None, None], crops.flip(-1), crops)
        return crops

    def val_batches(self, train_eval: bool = False) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The validation split in order, normalized, whole images (shared by all members).

        ``train_eval``: the fixed training subset instead, seen the same way.
        """
        images, labels = (
            (self.train_eval_images, self.train_eval_labels)
            if train_eval
            else (self.val_images, self.val_labels)
        )
        assert images is not None and labels is not None, "no training subset was copied"
        for start in range(0, int(labels.shape[0]), self.batch_size):
            batch = images[start : start + self.batch_size]
            yield self.normalize(batch), labels[start : start + self.batch_size]
