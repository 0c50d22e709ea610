"""``data.resident``: in-memory splits indexed on the device give the DataLoader's batches."""

from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_dir
from torch.utils.data import DataLoader

from alexnet_lab.choices import check_resident
from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.data.resident import ResidentBatches
from alexnet_lab.data.tensor_sets import BatchTensorDataset, already_batched
from alexnet_lab.engines.lightning.train import train
from alexnet_lab.errors import UserError


def _data(n: int = 70) -> tuple[torch.Tensor, torch.Tensor]:
    images = torch.arange(n * 3 * 4 * 4, dtype=torch.int64).remainder(256).to(torch.uint8)
    return images.view(n, 3, 4, 4), torch.arange(n) % 10


@pytest.mark.parametrize("shuffle", [True, False])
def test_resident_batches_are_the_dataloaders_with_the_same_random_draws(shuffle: bool):
    images, labels = _data()
    loader = DataLoader(
        BatchTensorDataset(images, labels),
        batch_size=16,
        shuffle=shuffle,
        collate_fn=already_batched,
    )
    resident = ResidentBatches(images, labels, batch_size=16, shuffle=shuffle)
    assert len(resident) == len(loader) == 5  # 70 = 4 x 16 + 6

    torch.manual_seed(3)
    expected = [[(x.clone(), y.clone()) for x, y in loader] for _ in range(2)]
    after_loader = torch.random.get_rng_state()
    torch.manual_seed(3)
    got = [list(resident) for _ in range(2)]

    assert torch.equal(torch.random.get_rng_state(), after_loader)  # the same draws, in order
    for epoch_expected, epoch_got in zip(expected, got, strict=True):
        assert [len(y) for _, y in epoch_got] == [16, 16, 16, 16, 6]
        for (x0, y0), (x1, y1) in zip(epoch_expected, epoch_got, strict=True):
            assert torch.equal(x0, x1) and torch.equal(y0, y1)
    if shuffle:  # two epochs, two orders
        assert not torch.equal(got[0][0][1], got[1][0][1])


def test_check_resident_names_the_choices():
    assert check_resident("auto") == "auto" and check_resident(True) is True
    with pytest.raises(UserError, match="auto .* true .* false"):
        check_resident("gpu")


def _run(tmp_path: Path, resident: str):
    overrides = [
        "data=synthetic",
        "data.train_size=96",
        "data.val_size=40",
        "data.batch_size=32",
        "augmentation=crop_flip",  # random crops and flips drawn after each batch
        "trainer=cpu",
        "trainer.max_epochs=2",
        "trainer.enable_progress_bar=false",
        "callbacks=none",
        "logger=none",
        f"data.resident={resident}",
    ]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=overrides)
    return train(cfg, tmp_path / resident)


def test_a_run_with_resident_data_is_the_dataloaders_run_number_for_number(tmp_path: Path):
    through_loader = _run(tmp_path, "false")
    resident = _run(tmp_path, "true")

    assert through_loader.data["resident"] is None
    assert resident.data["resident"] == "cpu"
    assert resident.status == through_loader.status == "completed"
    keys = ("train_error", "train_loss", "train_eval_error", "val_error", "val_loss")
    rows = zip(through_loader.history, resident.history, strict=True)
    for a, b in rows:
        assert {k: a[k] for k in keys} == {k: b[k] for k in keys}
    assert resident.final["test"] == through_loader.final["test"]
