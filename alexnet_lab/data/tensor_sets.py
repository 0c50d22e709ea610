"""Data sets held in memory as uint8 tensors: a batch is one tensor index, subsets are fixed."""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.data import Dataset


def deterministic_subset(
    images: torch.Tensor, labels: torch.Tensor, size: int | None, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the first ``size`` items of a fixed permutation (all items when size is None)."""
    if size is None or size >= len(labels):
        return images, labels
    order = subset_indices(len(labels), size, seed)
    return images[order], labels[order]


def subset_indices(total: int, size: int | None, seed: int) -> torch.Tensor:
    """Sorted indices of a fixed random subset of ``size`` of ``total`` items (all if None)."""
    if size is None or size >= total:
        return torch.arange(total)
    order = torch.randperm(total, generator=torch.Generator().manual_seed(seed))[:size]
    return order.sort().values


class BatchTensorDataset(Dataset):
    """Images and labels in memory, fetched a whole batch at a time.

    The DataLoader hands ``__getitems__`` the batch's indices, so a batch is one indexing
    operation on the stored tensor instead of 128 item lookups and a stack.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        self.images, self.labels = images, labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.images[index], self.labels[index]

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        index = torch.as_tensor(indices)
        return self.images[index], self.labels[index]


def already_batched(batch: Any) -> Any:
    """collate_fn for :class:`BatchTensorDataset`: its batches come stacked already."""
    return batch
