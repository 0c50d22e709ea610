"""A Lightning callback that collapses a net after its first epoch, for the CLI's tests.

A real collapse (ReLU at a large learning rate answering one class from epoch 2 on, as the
main job's lr 0.03 runs did on Fashion-MNIST) comes at a step no small run reproduces
reliably; this one is certain: from the second epoch on, the last layer answers one class
(zero weights and bias) and the learning rate is 0, so the running training error sits at
the majority-class error or above, with finite losses.
"""

from __future__ import annotations

import pytorch_lightning as pl
import torch


class CollapseAfterFirstEpoch(pl.Callback):
    """From epoch 2 on: the net's last linear layer outputs zeros and SGD's lr is 0."""

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Collapse the net at the start of every epoch after the first."""
        if trainer.current_epoch < 1:
            return
        last = [m for m in pl_module.modules() if isinstance(m, torch.nn.Linear)][-1]
        with torch.no_grad():
            last.weight.zero_()
            if last.bias is not None:
                last.bias.zero_()
        for group in trainer.optimizers[0].param_groups:
            group["lr"] = 0.0
