"""train_eval_error: the training error in eval mode on a fixed training subset, each epoch.

No dropout, the centre view, no PCA lighting; the subset fixed per data set whatever the seed;
measuring it moves no run's random stream (so stacked and sequential runs stay identical).
"""

from __future__ import annotations

import pytest
import pytorch_lightning as pl
import torch
from torch import nn

from alexnet_lab.data import SyntheticDataModule, train_eval
from alexnet_lab.data.resident import ResidentBatches
from alexnet_lab.data.train_eval import fixed_subset, subset_of
from alexnet_lab.engines.lightning.error_rates import ErrorRate
from alexnet_lab.engines.lightning.module import ClassifierModule
from tests.unit.test_module import OPTIM


def small_data(**kwargs) -> SyntheticDataModule:
    dm = SyntheticDataModule(name="synthetic", train_size=192, val_size=64, batch_size=64,
                             **kwargs)  # fmt: skip
    dm.setup()
    return dm


def test_the_subset_is_fixed_per_data_set_whatever_the_seed(monkeypatch):
    monkeypatch.setattr(train_eval, "TRAIN_EVAL_SIZE", 50)
    dm = small_data()
    torch.manual_seed(0)
    a = fixed_subset(dm.train_set)
    torch.manual_seed(1)
    b = fixed_subset(dm.train_set)
    assert len(a) == 50 and torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    # all of a split smaller than the size, in its order
    monkeypatch.setattr(train_eval, "TRAIN_EVAL_SIZE", 10_000)
    assert torch.equal(fixed_subset(dm.train_set).labels, dm.train_set.labels)

    class Files(torch.utils.data.Dataset):  # a data set of (path, label) files
        samples = [(f"{i}.jpg", i % 10) for i in range(20)]

        def __len__(self):
            return len(self.samples)

    files = subset_of(Files(), torch.tensor([3, 7]))
    assert isinstance(files, Files) and files.samples == [("3.jpg", 3), ("7.jpg", 7)]


def test_measuring_it_moves_no_runs_random_stream():
    dm = small_data()
    before = torch.get_rng_state()
    for _ in dm.train_eval_dataloader():
        pass
    assert torch.equal(torch.get_rng_state(), before)
    resident = ResidentBatches(dm.train_set.images, dm.train_set.labels, 64, False,
                               generator=torch.Generator().manual_seed(0))  # fmt: skip
    list(resident)
    assert torch.equal(torch.get_rng_state(), before)
    for _ in dm.test_dataloader():  # a loader on the global stream draws from it
        pass
    assert not torch.equal(torch.get_rng_state(), before)


class Dropped(nn.Module):
    """A tiny net with dropout, so that train and eval mode differ."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(3 * 24 * 24, 64), nn.ReLU(),
                                 nn.Dropout(0.9), nn.Linear(64, 10))  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def test_train_eval_error_is_the_eval_mode_centre_view_error_on_the_subset(tmp_path):
    # augmented training (random 24-pixel crops, flips, PCA lighting) and heavy dropout
    dm = SyntheticDataModule(name="synthetic", train_size=192, val_size=64, batch_size=64,
                             crop=24, flip=True, lighting=True)  # fmt: skip
    module = ClassifierModule(Dropped(), 10, OPTIM | {"lr": 0.01}, eval_crop=24)
    logged = []

    class Read(pl.Callback):
        def on_train_epoch_end(self, trainer, pl_module):
            logged.append(float(trainer.callback_metrics["train_eval_error"]))

    trainer = pl.Trainer(max_epochs=2, callbacks=[Read()], logger=False,
                         enable_progress_bar=False, enable_checkpointing=False,
                         enable_model_summary=False, default_root_dir=tmp_path)  # fmt: skip
    trainer.fit(module, datamodule=dm)
    assert "val_error" in trainer.callback_metrics and len(logged) == 2
    assert not any("dataloader_idx" in key for key in trainer.callback_metrics)
    # recomputed by hand: eval mode, the centre 24x24 view, no lighting, the whole subset
    module.eval()
    subset = dm.train_eval_set()
    error = ErrorRate(10)
    with torch.no_grad():
        error(module.predict_log_probs(dm.normalize(subset.images)), subset.labels)
    assert logged[-1] == pytest.approx(float(error.compute()), abs=1e-6)
