"""ClassifierModule: one LightningModule for every model and data set of the project."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn

from alexnet_lab.data.train_eval import TRAIN_EVAL_LOADER
from alexnet_lab.data.transforms import center_crop, ten_crops
from alexnet_lab.engines.lightning.error_rates import ErrorRate
from alexnet_lab.run.recipe import check_schedule, optimize, run_model

TTAS = ("center", "ten_crop")


class ClassifierModule(pl.LightningModule):
    """Cross-entropy training with the paper's SGD recipe and its error metrics.

    Logged per epoch: ``train_error`` (running, over the epoch's mini-batches: Figure 1's
    quantity), ``train_loss``, ``val_error`` (top-1), ``val_top5_error``, ``val_loss``,
    ``train_eval_error`` (the training error in eval mode: no dropout, the centre view, no
    lighting, on the fixed training subset the data module's second validation loader gives);
    after ``trainer.test``: ``test_error``, ``test_top5_error``.

    With ``eval_crop`` (the training crop size) validation sees the centre crop and the test
    sees ``tta``: ``center``, or ``ten_crop`` (corners, centre and their mirror images, softmax
    outputs averaged: the paper's test procedure).
    """

    def __init__(
        self,
        model: nn.Module,
        num_classes: int,
        optim: Mapping[str, Any],
        eval_crop: int | None = None,
        tta: str = "center",
        channels_last: bool = False,
    ) -> None:
        super().__init__()
        # channels-last (alexnet_lab.run.tensor_format): the weights here, every batch in forward
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.model = model.to(memory_format=self.memory_format)
        self.optim = dict(optim)
        if tta not in TTAS:
            raise ValueError(f"unknown tta {tta!r}; valid: {TTAS}")
        self.eval_crop, self.tta = eval_crop, tta
        check_schedule(self.optim)
        self.save_hyperparameters({"num_classes": num_classes, "optim": self.optim})
        self.train_error = ErrorRate(num_classes)
        self.val_error = ErrorRate(num_classes)
        self.val_top5_error = ErrorRate(num_classes, top_k=5)
        self.train_eval_error = ErrorRate(num_classes)
        self.test_error = ErrorRate(num_classes)
        self.test_top5_error = ErrorRate(num_classes, top_k=5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores of the wrapped model (a batch of images in the model's memory layout)."""
        if x.dim() == 4:
            x = x.contiguous(memory_format=self.memory_format)
        return self.model(x)

    def training_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int
    ) -> torch.Tensor:
        """One SGD step's loss; updates the running training error."""
        images, labels = batch
        logits = self(images)
        loss = F.cross_entropy(logits, labels)
        self.train_error(logits, labels)
        self.log("train_loss", loss, on_step=False, on_epoch=True, sync_dist=True)
        self.log("train_error", self.train_error, on_step=False, on_epoch=True, prog_bar=True)
        return loss

    def validation_step(
        self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        """Top-1/top-5 error and loss on the validation split; the eval-mode training error."""
        if dataloader_idx == TRAIN_EVAL_LOADER:
            images, labels = batch
            self.train_eval_error(self.predict_log_probs(images), labels)
            self.log("train_eval_error", self.train_eval_error, add_dataloader_idx=False)
            return
        self._evaluate(batch, "val", self.val_error, self.val_top5_error)

    def test_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        """Top-1/top-5 error of the final weights."""
        self._evaluate(batch, "test", self.test_error, self.test_top5_error)

    def _evaluate(
        self, batch: tuple[torch.Tensor, torch.Tensor], stage: str, top1: ErrorRate, top5: ErrorRate
    ) -> None:
        images, labels = batch
        log_probs = self.predict_log_probs(
            images, ten_crop=stage == "test" and self.tta == "ten_crop"
        )
        top1(log_probs, labels)
        top5(log_probs, labels)
        loss = F.nll_loss(log_probs, labels)
        self.log(f"{stage}_loss", loss, sync_dist=True, add_dataloader_idx=False)
        self.log(f"{stage}_error", top1, prog_bar=stage == "val", add_dataloader_idx=False)
        self.log(f"{stage}_top5_error", top5, add_dataloader_idx=False)

    def predict_log_probs(self, images: torch.Tensor, ten_crop: bool = False) -> torch.Tensor:
        """Log class probabilities of whole test images: one centre view or ten views averaged."""
        if self.eval_crop is None:
            return F.log_softmax(self(images), dim=1)
        if not ten_crop:
            return F.log_softmax(self(center_crop(images, self.eval_crop)), dim=1)
        views = ten_crops(images, self.eval_crop)  # 10, N, C, s, s
        # one view at a time: a forward pass's memory, not ten times it
        probs = torch.stack([F.softmax(self(view), dim=1) for view in views]).mean(dim=0)
        return probs.clamp_min(1e-12).log()

    def configure_optimizers(self) -> Any:
        """The run's recipe (:func:`alexnet_lab.run.recipe.optimize`) in Lightning's terms.

        SGD with momentum, weight decay on weights only (or on ``optim.decay_layers``), and
        the plateau schedule stepped on each epoch's ``val_error``.
        """
        recipe = optimize(self.model, self.optim)
        if recipe.scheduler is None:
            return recipe.optimizer
        return {
            "optimizer": recipe.optimizer,
            "lr_scheduler": {
                "scheduler": recipe.scheduler,
                "monitor": "val_error",
                "interval": "epoch",
            },
        }


def build_classifier(cfg: Any, datamodule: Any, channels_last: bool = False) -> ClassifierModule:
    """The configured model in its :class:`ClassifierModule`, sized to ``datamodule``'s input.

    Called right after ``seed_everything(cfg.seed)``, so the model's weights are the seed's.
    ``channels_last``: the layout :func:`alexnet_lab.run.tensor_format.use_channels_last` chose.
    """
    model = run_model(cfg, datamodule.input_shape, datamodule.num_classes)
    return ClassifierModule(
        model,
        datamodule.num_classes,
        cfg.optim,
        eval_crop=cfg.augmentation.crop,
        tta=cfg.tta.name,
        channels_last=channels_last,
    )
