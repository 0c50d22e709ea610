import pytest
import torch

from alexnet_lab.data import CIFAR10DataModule, FashionMNISTDataModule, SyntheticDataModule
from alexnet_lab.data.scaling import apply_scale, channel_stats
from alexnet_lab.data.sources import stage_fashion_mnist
from alexnet_lab.data.tensor_sets import deterministic_subset
from alexnet_lab.errors import DataUnavailableError, UserError
from tests.conftest import FASHION_SYSTEM_DIR, needs_fashion_mnist


@pytest.fixture(scope="module")
def fashion_root(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


def first_batch(dm):
    images, labels = next(iter(dm.train_dataloader()))
    return dm.normalize(images), labels


@needs_fashion_mnist
def test_fashion_mnist_is_staged_offline_from_the_debian_package(fashion_root):
    assert stage_fashion_mnist(fashion_root, FASHION_SYSTEM_DIR) is True
    raw = fashion_root / "FashionMNIST" / "raw"
    assert (raw / "train-images-idx3-ubyte").stat().st_size == 47_040_016  # 60000*28*28 + 16
    assert stage_fashion_mnist(fashion_root, FASHION_SYSTEM_DIR) is False  # already there


@needs_fashion_mnist
@pytest.mark.parametrize("scale", ["raw", "unit", "standard"])
def test_each_scale_gives_its_documented_statistics(fashion_root, scale):
    dm = FashionMNISTDataModule(
        root=str(fashion_root),
        name="fashion_mnist",
        scale=scale,
        mean="channel",
        train_size=3000,
        val_size=500,
        batch_size=3000,
    )
    dm.prepare_data()
    dm.setup("fit")
    x, y = first_batch(dm)  # the whole (shuffled) training subset in one batch
    assert x.shape == (3000, 1, 32, 32) and x.dtype == torch.float32
    assert y.shape == (3000,) and set(y.unique().tolist()) == set(range(10))
    assert abs(x.mean().item()) < 1e-3 * (255 if scale == "raw" else 1)
    spread = (x.max() - x.min()).item()
    if scale == "raw":
        assert spread == pytest.approx(255, abs=0.5)  # the 0-255 range is kept, centred
    elif scale == "unit":
        assert spread == pytest.approx(1.0, abs=0.01)
    else:
        assert x.std().item() == pytest.approx(1.0, abs=0.01)
    assert dm.describe()["train_size"] == 3000 and dm.describe()["shape"] == [1, 32, 32]


@needs_fashion_mnist
def test_the_default_mean_is_the_training_sets_mean_image(fashion_root):
    dm = FashionMNISTDataModule(
        root=str(fashion_root), name="fashion_mnist", train_size=2000, val_size=100, batch_size=2000
    )
    dm.setup("fit")
    assert dm.mean.shape == (1, 32, 32)  # the paper's per-pixel mean
    assert dm.mean[0, 0, 0] == 0 and dm.mean[0, 16, 16] > 50  # padding vs the garment's centre
    x, _ = first_batch(dm)
    torch.testing.assert_close(x.mean(dim=0), torch.zeros(1, 32, 32), atol=1e-3, rtol=0)


def test_unknown_scale_lists_the_valid_ones():
    with pytest.raises(UserError, match="raw, unit, standard"):
        SyntheticDataModule(name="synthetic", scale="zscore")


def test_cifar10_without_files_or_network_says_what_to_do(tmp_path, monkeypatch):
    # a proxy on a closed loopback port makes the download fail at once even with network
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    dm = CIFAR10DataModule(root=str(tmp_path), name="cifar10")
    with pytest.raises(DataUnavailableError) as info:
        dm.prepare_data()
    message = str(info.value)
    assert str(tmp_path) in message and "cifar-10-batches-py" in message
    assert "data=fashion_mnist" in message and "ALEXNET_LAB_DATA" in message


def test_synthetic_data_is_deterministic_and_class_dependent():
    a = SyntheticDataModule(name="synthetic", train_size=200, val_size=100)
    b = SyntheticDataModule(name="synthetic", train_size=200, val_size=100)
    xa, ya = a.load_split(train=True)
    xb, yb = b.load_split(train=True)
    assert torch.equal(xa, xb) and torch.equal(ya, yb)
    assert xa.dtype == torch.uint8 and xa.shape == (200, 3, 32, 32)
    xv, _ = a.load_split(train=False)
    assert not torch.equal(xa[:100], xv)  # validation is a different draw
    # images of one class are closer to each other than to another class's
    c0, c1 = xa[ya == 0].float(), xa[ya == 1].float()
    within = (c0[0] - c0[1]).abs().mean()
    across = (c0[0] - c1[0]).abs().mean()
    assert within < across


def test_the_statistics_reach_the_batchs_device_once_and_follow_a_new_setup():
    dm = SyntheticDataModule(name="synthetic", train_size=64, val_size=32, scale="standard")
    dm.prepare_data()
    dm.setup("fit")
    cpu = torch.device("cpu")
    mean = dm.on_device("mean", cpu)
    assert dm.on_device("mean", cpu) is mean  # cached, not copied per batch
    torch.testing.assert_close(mean, dm.mean)
    images = dm.train_set[0][0].unsqueeze(0)
    torch.testing.assert_close(
        dm.normalize(images), apply_scale(images, "standard", dm.mean, dm.std)
    )
    dm.stats = dm.compute_stats()  # new statistics (a new setup): new copies
    assert dm.on_device("mean", cpu) is not mean


def test_the_record_states_the_majority_class_error_as_chance():
    dm = SyntheticDataModule(name="synthetic", train_size=512, val_size=64)
    dm.prepare_data()
    dm.setup("fit")
    counts = torch.bincount(dm.train_set.labels, minlength=10)
    assert counts.sum() == 512 and counts.max() > 512 / 10  # random labels are not balanced
    assert dm.describe()["chance_error"] == pytest.approx(1 - counts.max().item() / 512, abs=1e-6)


def test_channel_stats_and_subset():
    images = torch.stack([torch.full((2, 4, 4), v, dtype=torch.uint8) for v in (10, 30)])
    mean, std = channel_stats(images)
    torch.testing.assert_close(mean, torch.tensor([20.0, 20.0]))
    torch.testing.assert_close(std, torch.tensor([10.0, 10.0]))
    out = apply_scale(images, "standard", mean, std)
    assert out.min().item() == -1.0 and out.max().item() == 1.0
    labels = torch.arange(100)
    x, y = deterministic_subset(labels.view(100, 1), labels, 10, seed=0)
    x2, y2 = deterministic_subset(labels.view(100, 1), labels, 10, seed=0)
    assert torch.equal(y, y2) and len(y) == 10 and len(set(y.tolist())) == 10


@needs_fashion_mnist
def test_staging_never_shows_half_a_file_under_its_name(tmp_path, monkeypatch):
    """A parallel sweep's two workers may stage at once: one must not read the other's half file.

    While a file is decompressed, its final name does not exist yet (written aside, renamed).
    """
    import shutil

    from alexnet_lab.data import sources

    raw = tmp_path / "FashionMNIST" / "raw"
    seen: list[list[str]] = []
    copy = shutil.copyfileobj

    def watched_copy(src, dst, *args, **kwargs):
        seen.append(sorted(p.name for p in raw.iterdir() if not p.name.startswith(".")))
        copy(src, dst, *args, **kwargs)

    monkeypatch.setattr(sources.shutil, "copyfileobj", watched_copy)
    assert stage_fashion_mnist(tmp_path, FASHION_SYSTEM_DIR) is True
    assert seen == [
        [],
        ["train-images-idx3-ubyte"],
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
        ["t10k-images-idx3-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
    ]
    assert sorted(p.name for p in raw.iterdir()) == sorted([*seen[-1], "t10k-labels-idx1-ubyte"])
