"""A process reads a data split once: later jobs of a sweep's worker take it from memory."""

from __future__ import annotations

import os

import pytest
import torch

from alexnet_lab.data import FashionMNISTDataModule, in_memory, split_memo
from tests.conftest import FASHION_SYSTEM_DIR, needs_fashion_mnist


@pytest.fixture(autouse=True)
def empty_memo():
    split_memo.forget()
    yield
    split_memo.forget()


def test_a_split_is_read_once_per_key_and_the_oldest_key_is_dropped():
    reads: list[int] = []

    def read(n: int) -> split_memo.Split:
        reads.append(n)
        return torch.full((1,), n), torch.zeros(1)

    first = split_memo.remembered("a", lambda: read(0))
    assert split_memo.remembered("a", lambda: read(1)) is first and reads == [0]
    for n, key in enumerate("bcde", start=2):
        split_memo.remembered(key, lambda n=n: read(n))
    assert len(split_memo._SPLITS) == split_memo.KEEP and "a" not in split_memo._SPLITS
    split_memo.remembered(None, lambda: read(9))
    split_memo.remembered(None, lambda: read(9))
    assert reads == [0, 2, 3, 4, 5, 9, 9]  # None: never kept


def fashion(root, train_size: int = 600) -> FashionMNISTDataModule:
    dm = FashionMNISTDataModule(
        root=str(root),
        system_dir=str(FASHION_SYSTEM_DIR),
        name="fashion_mnist",
        train_size=train_size,
        val_size=100,
    )
    dm.prepare_data()
    dm.setup("fit")
    return dm


@needs_fashion_mnist
def test_the_next_job_takes_the_splits_from_memory_and_a_changed_file_is_read_again(
    tmp_path, monkeypatch
):
    reads: list[bool] = []
    load = in_memory.load_fashion_mnist

    def counted(root, train, system_dir):
        reads.append(train)
        return load(root, train, system_dir)

    monkeypatch.setattr(in_memory, "load_fashion_mnist", counted)
    first = fashion(tmp_path)  # its training split's read stages the files: keyed from then on
    second = fashion(tmp_path, train_size=300)
    third = fashion(tmp_path)
    assert reads == [True, False, True]  # the second job read the training split, the third none
    assert torch.equal(third.train_set.images, first.train_set.images)
    assert torch.equal(third.val_set.labels, first.val_set.labels)
    assert len(second.train_set) == 300 and torch.equal(third.mean, first.mean)
    labels = tmp_path / "FashionMNIST" / "raw" / "t10k-labels-idx1-ubyte"
    os.utime(labels, ns=(1, 1))  # a changed test split: read again, the training split not
    fashion(tmp_path)
    assert reads == [True, False, True, False]
