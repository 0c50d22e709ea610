"""The fixed training subset the eval-mode training error (``train_eval_error``) is taken on.

The overfitting gap of C4 and C5 compares the validation error with the training error of
the same weights measured the same way: eval mode (no dropout), the centre view, no lighting.
It is measured each epoch on a fixed subset of the training split, cheap next to an epoch:
the first :data:`TRAIN_EVAL_SIZE` images of a permutation seeded with :data:`TRAIN_EVAL_SEED`
(the whole split when smaller), in the split's order, independent of the run's seed.
"""

from __future__ import annotations

import copy

import torch
from torch.utils.data import Dataset, Subset

from alexnet_lab.data.tensor_sets import BatchTensorDataset, subset_indices

#: training images the eval-mode training error is measured on each epoch (all when fewer)
TRAIN_EVAL_SIZE = 10_000
#: the seed of the fixed permutation that picks them: the same images for every run of a data
#: set (and of a data.train_size subset), whatever the run's seed
TRAIN_EVAL_SEED = 0
#: the validation loaders, in order: the validation split, the training subset in eval mode
VAL_LOADER, TRAIN_EVAL_LOADER = 0, 1


def fixed_subset(train_set: Dataset) -> Dataset:
    """The training subset of :data:`TRAIN_EVAL_SIZE` images (all when fewer), fixed."""
    size = len(train_set)  # type: ignore[arg-type]
    return subset_of(train_set, subset_indices(size, TRAIN_EVAL_SIZE, TRAIN_EVAL_SEED))


def subset_of(dataset: Dataset, index: torch.Tensor) -> Dataset:
    """The items ``index`` of ``dataset``, as the same kind of data set (its batching kept)."""
    if isinstance(dataset, BatchTensorDataset):
        return BatchTensorDataset(dataset.images[index], dataset.labels[index])
    samples = getattr(dataset, "samples", None)
    if samples is not None:  # a data set of (path, label) files: the same decoding
        subset = copy.copy(dataset)
        subset.samples = [samples[i] for i in index.tolist()]  # type: ignore[attr-defined]
        return subset
    return Subset(dataset, index.tolist())
