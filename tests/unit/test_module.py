import pytest
import pytorch_lightning as pl
import torch

from alexnet_lab.data import SyntheticDataModule
from alexnet_lab.engines.lightning.error_rates import ErrorRate
from alexnet_lab.engines.lightning.module import ClassifierModule
from alexnet_lab.models.convnet4 import ConvNet4
from alexnet_lab.run.recipe import optimize

OPTIM = {
    "lr": 0.001,
    "momentum": 0.9,
    "weight_decay": 5e-4,
    "schedule": "constant",
    "plateau_factor": 0.1,
    "plateau_patience": 5,
    "max_lr_drops": 3,
}


class PerBatchErrors(pl.Callback):
    """Collects the error of each training mini-batch from the logits the step computed."""

    def __init__(self):
        self.errors, self.logits = [], None

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        def keep(module, args, out):
            self.logits = out.detach()

        self.handle = pl_module.model.register_forward_hook(keep)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self.handle.remove()
        labels = batch[1]
        self.errors.append((self.logits.argmax(1) != labels).float().mean().item())


def test_running_training_error_is_the_mean_of_the_per_batch_errors(tmp_path):
    dm = SyntheticDataModule(name="synthetic", train_size=256, val_size=64, batch_size=64)
    module = ClassifierModule(ConvNet4(), 10, OPTIM)
    spy = PerBatchErrors()
    epoch_errors = []

    class Read(pl.Callback):
        def on_train_epoch_end(self, trainer, pl_module):
            epoch_errors.append(float(trainer.callback_metrics["train_error"]))

    trainer = pl.Trainer(
        max_epochs=2,
        callbacks=[spy, Read()],
        logger=False,
        enable_progress_bar=False,
        enable_checkpointing=False,
        enable_model_summary=False,
        default_root_dir=tmp_path,
    )
    trainer.fit(module, datamodule=dm)
    assert len(spy.errors) == 8  # 2 epochs x 4 batches of 64
    assert epoch_errors[0] == pytest.approx(sum(spy.errors[:4]) / 4, abs=1e-6)
    assert epoch_errors[1] == pytest.approx(sum(spy.errors[4:]) / 4, abs=1e-6)


def test_error_rate_top_k():
    metric = ErrorRate(num_classes=10, top_k=5)
    logits = torch.eye(10)[[0, 1, 2, 3]] + torch.arange(10) * 0.01
    metric.update(logits, torch.tensor([0, 9, 2, 6]))
    # labels 0 and 2 are top-1; 9 and 6 are within the top five (the hot class, then 9, 8, 7, 6)
    assert metric.compute().item() == pytest.approx(0.0)
    top1 = ErrorRate(num_classes=10)
    top1.update(logits, torch.tensor([0, 9, 2, 6]))
    assert top1.compute().item() == pytest.approx(0.5)


def test_weight_decay_only_on_weights_and_plateau_drops_three_times():
    module = ClassifierModule(
        ConvNet4(), 10, {**OPTIM, "schedule": "plateau", "lr": 0.01, "plateau_patience": 0}
    )
    config = module.configure_optimizers()
    optimizer, scheduler = config["optimizer"], config["lr_scheduler"]["scheduler"]
    decay, no_decay = optimizer.param_groups
    assert decay["weight_decay"] == 5e-4 and all(p.dim() > 1 for p in decay["params"])
    assert no_decay["weight_decay"] == 0.0 and all(p.dim() == 1 for p in no_decay["params"])
    lrs = []
    for _ in range(8):  # validation error never improves
        scheduler.step(0.5)
        lrs.append(optimizer.param_groups[0]["lr"])
    assert lrs[-1] == pytest.approx(1e-5)  # 0.01 divided by 10 three times, then no more
    # first step records the best; then one drop per non-improving step, three in all
    assert [round(v, 10) for v in lrs[:5]] == [0.01, 1e-3, 1e-4, 1e-5, 1e-5]


def test_decay_layers_limit_weight_decay_to_the_named_layers():
    module = ClassifierModule(ConvNet4(), 10, {**OPTIM, "decay_layers": ["conv3", "fc"]})
    decay, no_decay = module.configure_optimizers().param_groups
    named = {id(p): n for n, p in module.model.named_parameters()}
    assert sorted(named[id(p)] for p in decay["params"]) == [
        "classifier.fc.weight",
        "features.conv3.weight",
    ]
    assert len(no_decay["params"]) == 6  # conv1/conv2 weights and all four biases


def test_the_recipe_names_the_weights_its_first_group_decays():
    recipe = optimize(ConvNet4(), {**OPTIM, "decay_layers": ["conv3", "fc"]})
    named = {id(p): n for n, p in recipe.model.named_parameters()}
    decayed = {named[id(p)] for p in recipe.optimizer.param_groups[0]["params"]}
    assert recipe.decay == decayed == {"classifier.fc.weight", "features.conv3.weight"}
    assert recipe.scheduler is None  # optim.schedule=constant
