"""Batches of an in-memory data set that lives on the training device (``data.resident``).

The uint8 images and labels are copied to the device once; each batch is then one tensor
index there, with no DataLoader, worker, pinned buffer or host-to-device copy per step. The
datamodule's ``on_after_batch_transfer`` still turns each batch into the model's input (mean
subtraction, scale, crops, flips, PCA lighting) as whole-batch operations on the device.

**The DataLoader's random draws, replayed.** Iterating a ``DataLoader(shuffle=True)`` draws
from the global generator: one int64 for the iterator's base seed, then, at the first batch,
one int64 that seeds ``RandomSampler``'s own generator, whose ``randperm`` is the epoch's order.
A validation loader draws only the base seed. :class:`ResidentBatches` makes the same draws in
the same order and cuts the same batches (the last one smaller), so a run gives the same
numbers with its data resident as through the DataLoader (``tests/unit/test_resident.py``).
The stacked launcher's per-member data (:mod:`alexnet_lab.engines.stacked.device_data`)
replays the same draws from each member's own generator.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch


def int64_draw(generator: torch.Generator | None = None) -> int:
    """One ``torch.empty((), dtype=torch.int64).random_()`` draw, as DataLoader makes them.

    ``None`` draws from the global (CPU) generator, as a DataLoader without a generator does.
    """
    return int(torch.empty((), dtype=torch.int64).random_(generator=generator).item())


def shuffled_order(size: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """The epoch's order as ``RandomSampler`` draws it: a seed, then ``randperm`` from it."""
    seed = int64_draw(generator)
    return torch.randperm(size, generator=torch.Generator().manual_seed(seed))


class ResidentBatches:
    """An iterable of (images, labels) batches indexed on the device, as a DataLoader's.

    ``shuffle``: a fresh order per pass (the training split); else the stored order
    (validation and test). ``len()`` is the number of batches, as a DataLoader's.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        shuffle: bool,
        generator: torch.Generator | None = None,
    ) -> None:
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle = int(batch_size), shuffle
        #: where the base seed is drawn (a DataLoader's ``generator``): None, the global one
        self.generator = generator

    def __len__(self) -> int:
        return -(-int(self.labels.shape[0]) // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        # Drawn at the first batch, not at iter(): Lightning calls iter() on a loader that is
        # not a DataLoader to check it is iterable, which must not move the global generator.
        int64_draw(self.generator)  # the DataLoader iterator's base seed
        size = int(self.labels.shape[0])
        if self.shuffle:  # drawn at the first batch, as RandomSampler draws its seed
            order = shuffled_order(size).to(self.labels.device)
            for start in range(0, size, self.batch_size):
                index = order[start : start + self.batch_size]
                yield self.images[index], self.labels[index]
            return
        for start in range(0, size, self.batch_size):
            stop = start + self.batch_size
            yield self.images[start:stop], self.labels[start:stop]
