"""data=cifar10 on an ImageFolder tree of its images: the real one (slow), and small fakes."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import alexnet_lab.data.sources as sources
from alexnet_lab.data import CIFAR10DataModule
from alexnet_lab.data.sources import CIFAR10_CLASSES
from alexnet_lab.errors import UserError
from tests.conftest import make_image_tree


def loaded(**kwargs) -> CIFAR10DataModule:
    dm = CIFAR10DataModule(name="cifar10", **kwargs)
    dm.prepare_data()
    dm.setup("fit")
    return dm


@pytest.mark.slow  # decodes 60,000 JPEGs once (under a minute on two cores)
def test_the_real_tree_loads_as_cifar10_and_its_decoded_images_are_cached(
    cifar10_tree, monkeypatch
):
    dm = loaded(root=str(cifar10_tree))
    assert dm.source == "folder" and dm.describe()["source"] == "folder"
    train, val = dm.train_set, dm.val_set
    assert train.images.shape == (50_000, 3, 32, 32) and train.images.dtype == torch.uint8
    assert val.images.shape == (10_000, 3, 32, 32) and val.images.dtype == torch.uint8
    assert torch.bincount(train.labels).tolist() == [5_000] * 10
    assert torch.bincount(val.labels).tolist() == [1_000] * 10
    assert dm.num_classes == 10 and dm.target_error is None  # the config sets 0.25
    assert sorted(p.name for p in (cifar10_tree / "train").iterdir()) == list(CIFAR10_CLASSES)
    assert 100 < train.images.float().mean() < 150  # real photographs, not blank decodes
    # a second run reads the cached tensors: no file is decoded again
    monkeypatch.setattr(sources, "decode_samples", lambda *a, **k: pytest.fail("decoded again"))
    again = loaded(root=str(cifar10_tree), train_size=1000)
    assert len(again.train_set) == 1000 and len(again.val_set) == 10_000
    assert torch.equal(again.val_set.images, val.images)


def fake_cifar(root: Path, val: str = "test", classes=CIFAR10_CLASSES) -> Path:
    make_image_tree(root, tuple(classes), train_per_class=3, val_per_class=2, size=(32, 32))
    if val != "val":
        (root / "val").rename(root / val)
    return root


@pytest.mark.parametrize("val", ["test", "val"])
def test_a_tree_in_root_is_found_with_a_test_or_val_split(tmp_path, val):
    dm = loaded(root=str(fake_cifar(tmp_path / "c", val)))
    assert dm.source == "folder"
    assert dm.train_set.images.shape == (30, 3, 32, 32) and len(dm.val_set) == 20
    assert dm.train_set.labels.tolist() == [i for i in range(10) for _ in range(3)]
    assert loaded(root=str(tmp_path / "c"), train_size=7).train_set.images.shape[0] == 7


def test_a_tree_of_other_classes_is_refused_naming_cifar10s(tmp_path):
    root = fake_cifar(tmp_path / "c", classes=("a", "b"))
    with pytest.raises(UserError, match="not a CIFAR-10 tree.*airplane, automobile"):
        loaded(root=str(root))


def test_source_torchvision_ignores_a_tree_and_a_bad_source_is_refused(tmp_path):
    root = fake_cifar(tmp_path / "c")
    assert CIFAR10DataModule(name="cifar10", root=str(root), source="torchvision").source == (
        "torchvision"
    )
    assert CIFAR10DataModule(name="cifar10", root=str(tmp_path)).source == "torchvision"
    with pytest.raises(UserError, match="auto .*torchvision or folder"):
        CIFAR10DataModule(name="cifar10", root=str(root), source="jpeg")


def test_the_cache_dir_option_is_where_the_decoded_tensors_go(tmp_path):
    root = fake_cifar(tmp_path / "c")
    loaded(root=str(root), cache_dir=str(tmp_path / "cache"))
    assert sorted(p.name.split("-")[1] for p in (tmp_path / "cache").glob("cifar10-*.pt")) == [
        "test",
        "train",
    ]


def test_the_fingerprints_file_names_are_path_relative_to_without_its_cost(tmp_path: Path):
    root = tmp_path / "tree"
    inside = root / "train" / "cat" / "1.jpg"
    assert sources.relative(str(inside), root) == str(inside.relative_to(root))
    assert sources.relative(inside, Path(f"{root}/")) == "train/cat/1.jpg"
    assert sources.relative(f"{root}x/train/a.jpg", Path(f"{root}x")) == "train/a.jpg"
    with pytest.raises(ValueError):  # not under root: as Path.relative_to
        sources.relative(str(tmp_path / "other" / "a.jpg"), root)
    inside.parent.mkdir(parents=True)
    inside.write_bytes(b"12345")
    stat = inside.stat()
    assert sources.size_and_time(str(inside)) == (5, stat.st_mtime_ns)
