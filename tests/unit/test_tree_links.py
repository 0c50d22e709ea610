"""Links in an ImageFolder tree: one back into the tree is skipped with a warning naming it
(torchvision would follow ``train/a/loop -> ..`` some 40 levels deep); one leading outside the
tree is followed, as torchvision does."""

from __future__ import annotations

import os

import pytest
from torchvision.datasets.folder import IMG_EXTENSIONS, find_classes, make_dataset

from alexnet_lab.data.folder_tree import find_samples
from tests.conftest import make_image_tree
from tests.unit.test_imagefolder import datamodule


def classes_of(samples, split_dir) -> set[tuple[str, int]]:
    """(class folder right below the split, label) of every sample."""
    return {(os.path.relpath(p, split_dir).split(os.sep)[0], label) for p, label in samples}


def test_without_links_the_files_are_torchvisions_in_its_order(image_tree):
    (image_tree / "train" / "n01" / "deeper").mkdir()
    (image_tree / "train" / "n01" / "img0.jpg").rename(image_tree / "train/n01/deeper/x.jpg")
    split = image_tree / "train"
    expected = make_dataset(split, find_classes(split)[1], extensions=IMG_EXTENSIONS)
    assert find_samples(split) == (["n01", "n02", "n03"], expected)


@pytest.mark.parametrize("link,target", [("loop", ".."), ("up", "../.."), ("other", "../n02")])
def test_a_link_back_into_the_tree_is_skipped_and_named(image_tree, link, target):
    split = image_tree / "train"
    (split / "n01" / link).symlink_to(target)
    with pytest.warns(UserWarning, match=f"not following the link {split / 'n01' / link} -> "):
        classes, samples = find_samples(split)
    assert len(samples) == 18  # 6 per class, each once
    assert classes_of(samples, split) == {("n01", 0), ("n02", 1), ("n03", 2)}
    assert all(f"{os.sep}{link}{os.sep}" not in p for p, _ in samples)


def test_a_link_leading_outside_the_tree_is_followed_but_not_round_again(image_tree, tmp_path):
    outside = make_image_tree(tmp_path / "elsewhere", classes=("x",), train_per_class=2)
    extra = outside / "train" / "x"
    (extra / "back").symlink_to(extra.parent)  # a loop outside the tree, reached by a link
    split = image_tree / "train"
    (split / "n02" / "extra").symlink_to(extra)
    with pytest.warns(UserWarning, match="not following the link .*back"):
        _, samples = find_samples(split)
    linked = [p for p, label in samples if f"{os.sep}extra{os.sep}" in p]
    assert len(linked) == 2 and len(samples) == 20
    assert {label for p, label in samples if p in linked} == {1}


def test_a_datamodule_over_a_looping_tree_reads_each_image_once(image_tree):
    (image_tree / "train" / "n01" / "loop").symlink_to("..")
    (image_tree / "val" / "n03" / "loop").symlink_to("../..")
    dm = datamodule(image_tree, image_size=32)
    with pytest.warns(UserWarning, match="not following the link"):
        dm.prepare_data()
        dm.setup("fit")
    assert dm.train_set.labels.tolist() == [0] * 6 + [1] * 6 + [2] * 6
    assert len(dm.val_set) == 9
