"""Data splits read once per process: a worker's jobs share what its first job read.

A parallel sweep's worker (and the basic launcher's one process) runs job after job on the
same data set; each job used to read and decode both splits again (Fashion-MNIST's IDX files
and their padding, CIFAR-10's batch files or its decoded tree's cache with a fingerprint of
every file). A split is kept here under a key of everything that defines its tensors (the data
set, its folder and options, and the size and modification time of its files), so a job reads
it from memory when an earlier job of the same process read the same thing. The tensors are
shared, never written: every user indexes or converts them into new tensors.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

import torch

Split = tuple[torch.Tensor, torch.Tensor]

#: splits kept at once (two data sets' train and test splits), the least recently used dropped
KEEP = 4

_SPLITS: OrderedDict[Hashable, Split] = OrderedDict()


def remembered(key: Hashable | None, read: Callable[[], Split]) -> Split:
    """The split under ``key`` if this process read it before, else ``read()``'s, kept.

    ``key`` None: always ``read()`` (a split that nothing identifies cheaply).
    """
    if key is None:
        return read()
    if key in _SPLITS:
        _SPLITS.move_to_end(key)
        return _SPLITS[key]
    split = read()
    _SPLITS[key] = split
    while len(_SPLITS) > KEEP:
        _SPLITS.popitem(last=False)
    return split


def forget() -> None:
    """Drop every kept split."""
    _SPLITS.clear()
