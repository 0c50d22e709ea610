"""ImageFolder trees written with PIL: discovery, the paper's 256 preprocessing, caching, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

import alexnet_lab.data.imagefolder as imagefolder
from alexnet_lab.data import ImageFolderDataModule, ImageNetDataModule, ImagenetteDataModule
from alexnet_lab.data.imagefolder import BadImageError
from alexnet_lab.errors import DataUnavailableError, UserError
from tests.conftest import make_image_tree


def datamodule(root, **kwargs) -> ImageFolderDataModule:
    options = {"name": "imagefolder", "image_size": 256, "num_workers": 0, "batch_size": 8}
    return ImageFolderDataModule(root=str(root), **(options | kwargs))


def test_classes_sizes_and_labels_come_from_the_tree(image_tree):
    dm = datamodule(image_tree, crop=227)
    assert dm.classes == ["n01", "n02", "n03"] and dm.num_classes == 3
    assert dm.shape == (3, 256, 256) and dm.input_shape == (3, 227, 227)
    dm.prepare_data()
    dm.setup("fit")
    images, labels = dm.train_set.images, dm.train_set.labels  # in memory: small tree
    assert images.shape == (18, 3, 256, 256) and images.dtype == torch.uint8
    assert labels.tolist() == [0] * 6 + [1] * 6 + [2] * 6
    assert len(dm.val_set) == 9
    info = dm.describe()
    assert info["in_memory"] is True and info["num_classes"] == 3 and info["skipped_images"] == 0
    assert info["chance_error"] == pytest.approx(2 / 3)  # balanced: 1 - 6/18


def test_image_size_null_takes_the_trees_own_size(image_tree):
    dm = datamodule(image_tree, image_size=None)
    assert dm.shape == (3, 64, 64)  # the first training image is 80x64: its shorter side


def test_shorter_side_goes_to_256_then_the_centre_square_is_kept(tmp_path):
    root = make_image_tree(tmp_path / "t", classes=("a", "b"), train_per_class=1, val_per_class=1)
    # a 600x300 image: red left sixth, blue right sixth, green between. Rescaled to 512x256,
    # its centre 256 columns are original columns 150..450: all green.
    pixels = np.zeros((300, 600, 3), dtype=np.uint8)
    pixels[:, :100] = (255, 0, 0)
    pixels[:, 100:500] = (0, 255, 0)
    pixels[:, 500:] = (0, 0, 255)
    for f in (root / "train" / "a").iterdir():
        f.unlink()
    Image.fromarray(pixels).save(root / "train" / "a" / "wide.png")
    dm = datamodule(root)
    dm.setup("fit")
    wide = dm.train_set.images[0]
    assert wide.shape == (3, 256, 256)
    assert wide[1].min() == 255 and wide[0].max() == 0 and wide[2].max() == 0


def test_statistics_and_decoded_images_are_cached_beside_the_data(image_tree, monkeypatch):
    first = datamodule(image_tree)
    first.setup("fit")
    cache = image_tree / ".alexnet-lab-cache"
    names = sorted(p.name.split("-")[0] for p in cache.iterdir())
    assert names == ["stats", "train", "val"]
    assert first.mean.shape == (3, 256, 256)  # the paper's mean image

    def no_recompute(*args, **kwargs):
        raise AssertionError("statistics recomputed although cached")

    monkeypatch.setattr(imagefolder, "compute_stats", no_recompute)
    monkeypatch.setattr(imagefolder.ImageFolderDataModule, "_decode_all", no_recompute)
    second = datamodule(image_tree)
    second.setup("fit")  # reads both caches
    torch.testing.assert_close(second.mean, first.mean)
    torch.testing.assert_close(second.stats.eigvecs, first.stats.eigvecs)
    # a changed tree is a different data set: new fingerprint, new cache entry
    monkeypatch.undo()
    make_image_tree(image_tree, classes=("n01",), train_per_class=7, val_per_class=0, seed=1)
    third = datamodule(image_tree)
    third.setup("fit")
    assert len(third.train_set) == 19 and len(list(cache.glob("stats-*"))) == 2


def test_streaming_mode_decodes_with_workers_and_matches_memory(image_tree):
    for name in ("img0.jpg", "img1.png"):  # unbalance the classes: 6, 6 and 4 images
        (image_tree / "train" / "n03" / name).unlink()
    in_memory = datamodule(image_tree, in_memory=True)
    in_memory.setup("fit")
    streaming = datamodule(image_tree, in_memory=False, cache_dir=str(image_tree / "other"))
    streaming.setup("fit")
    torch.testing.assert_close(streaming.stats.pixel_mean, in_memory.stats.pixel_mean)
    images, labels = next(iter(streaming.val_dataloader()[0]))
    assert images.dtype == torch.uint8 and images.shape == (8, 3, 256, 256)
    assert torch.equal(images, in_memory.val_set.images[:8]) and labels.tolist()[:3] == [0, 0, 0]
    # chance is the majority-class error, from the file list's labels when streaming
    assert in_memory.describe()["chance_error"] == pytest.approx(1 - 6 / 16, abs=1e-6)
    assert streaming.describe()["chance_error"] == in_memory.describe()["chance_error"]


def corrupt(tree):
    bad = tree / "train" / "n02" / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return bad


@pytest.mark.parametrize("in_memory", [True, False])
def test_an_unreadable_image_stops_the_run_with_its_path(image_tree, in_memory):
    bad = corrupt(image_tree)
    dm = datamodule(image_tree, in_memory=in_memory)
    with pytest.raises(BadImageError, match="broken.jpg") as info:
        dm.setup("fit")
        next(iter(dm.train_dataloader()))
    assert str(bad) in str(info.value) and "data.skip_bad_images=true" in str(info.value)


def test_an_unreadable_image_read_by_a_worker_is_one_paragraph(image_tree):
    bad = corrupt(image_tree)
    dm = datamodule(image_tree, in_memory=False, num_workers=1)
    with pytest.raises(BadImageError) as info:  # the statistics pass reads every file
        dm.setup("fit")
        for _ in dm.train_dataloader():
            pass
    assert str(info.value).startswith(f"cannot read the image {bad} (")
    assert "Traceback" not in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("split", ["train", "val"])
def test_an_empty_class_folder_is_refused_by_name(image_tree, split):
    for image in (image_tree / split / "n02").iterdir():
        image.unlink()
    with pytest.raises(UserError, match=f"hold no image file: {split}/n02\\. A class"):
        _ = datamodule(image_tree).num_classes


def test_skip_bad_images_skips_and_counts_them(image_tree):
    bad = corrupt(image_tree)
    dm = datamodule(image_tree, skip_bad_images=True)
    with pytest.warns(UserWarning, match="skipped 1 unreadable"):
        dm.setup("fit")
    assert len(dm.train_set) == 18 and dm.describe()["skipped_images"] == 1
    assert dm.describe()["skipped_examples"] == [str(bad)]


def test_train_and_val_class_lists_must_agree(image_tree):
    (image_tree / "val" / "zebra").mkdir()  # the class lists are compared first
    (image_tree / "train" / "n03").rename(image_tree / "train" / "okapi")
    with pytest.raises(UserError, match="only in train: okapi; only in val: n03, zebra"):
        _ = datamodule(image_tree).num_classes


def test_a_missing_or_malformed_tree_names_the_expected_layout(tmp_path):
    with pytest.raises(DataUnavailableError, match=r"does not exist.*train/<class>/<image>"):
        _ = datamodule(tmp_path / "nowhere").num_classes
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "a.jpg").write_bytes(b"")
    with pytest.raises(DataUnavailableError, match="has no train and no val folder"):
        _ = datamodule(tmp_path / "flat").num_classes


def test_imagenet_expects_1000_classes_and_says_how_to_get_them(tmp_path, image_tree):
    with pytest.raises(DataUnavailableError, match="ILSVRC-2012 is not in .*valprep.sh"):
        _ = ImageNetDataModule(root=str(tmp_path / "imagenet"), name="imagenet").num_classes
    with pytest.raises(UserError, match="holds 3 classes where 1000 are expected"):
        _ = ImageNetDataModule(root=str(image_tree), name="imagenet").num_classes


def test_imagenette_with_no_network_ends_in_one_paragraph(tmp_path):
    dm = ImagenetteDataModule(root=str(tmp_path), name="imagenette")
    try:
        _ = dm.num_classes
    except DataUnavailableError as exc:
        assert "torchvision.datasets.Imagenette" in str(exc) and "data=imagefolder" in str(exc)
    else:  # a machine with network access downloaded it: the real tree has 10 classes
        assert dm.num_classes == 10
