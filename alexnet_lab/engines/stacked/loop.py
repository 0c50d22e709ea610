"""The stacked training loop: every member's own SGD, momentum, plateau schedule and data order.

A member is built from the run's recipe (:mod:`alexnet_lab.run.recipe`: its model, SGD
parameter groups with weight decay on weights only, and its ``ReduceLROnPlateau``) right
after ``seed_everything(seed)``. The member's weights
then go into the stack; its optimizer object keeps only the learning rate, momentum and decay
(read each epoch, so the real scheduler object drives the lr); its generator continues the
global RNG stream of the sequential run (see :mod:`alexnet_lab.engines.stacked.device_data`).

The SGD step repeats ``torch.optim.SGD``'s arithmetic per member: ``g = grad + wd * w``,
``buf = momentum * buf + g`` (``buf = g`` at the first step), ``w = w - lr * buf``.
A member whose loss is not finite is recorded ``diverged`` (at its first such step) and
leaves the stack at the next divergence check (:mod:`alexnet_lab.run.divergence`: every few
steps and at the epoch's end); a member that reaches ``max_epochs`` is tested and leaves it too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from omegaconf import DictConfig
from torch import nn

from alexnet_lab.choices import check_channels_last
from alexnet_lab.engines.stacked.device_data import DeviceData
from alexnet_lab.engines.stacked.model import StackedModel, Tensors
from alexnet_lab.errors import DivergedError
from alexnet_lab.record.files import RunRecord
from alexnet_lab.run.checkpoints import CHECKPOINT_DIR, STACKED_LAST
from alexnet_lab.run.divergence import is_check_step, note_non_finite
from alexnet_lab.run.recipe import build_recipe
from alexnet_lab.run.session import RunSession
from alexnet_lab.run.tensor_format import bf16, run_format

CHECKPOINT = Path(CHECKPOINT_DIR) / STACKED_LAST


@dataclass
class Member:
    """One job of a stack: its config, run session (its record), model, optimizer, generator."""

    cfg: DictConfig
    session: RunSession
    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: Any
    generator: torch.Generator
    decay: frozenset[str]
    max_epochs: int
    epoch: int = 0
    momentum: Tensors | None = None
    tests: dict[str, dict[str, float]] = field(default_factory=dict)
    #: trained to its end (``max_epochs`` or the target) and tested
    completed: bool = False

    @property
    def record(self) -> RunRecord:
        """The member's run record (its session's)."""
        return self.session.record

    @property
    def group(self) -> dict[str, Any]:
        """The first SGD parameter group (lr, momentum, weight decay of the weights)."""
        return self.optimizer.param_groups[0]

    @property
    def lr(self) -> float:
        """The learning rate now (the scheduler lowers it)."""
        return float(self.group["lr"])

    @property
    def checkpoint(self) -> Path:
        """``<job dir>/checkpoints/stacked_last.pt``."""
        return Path(str(self.record.output_dir)) / CHECKPOINT


def build_member(cfg: DictConfig, session: RunSession, datamodule: Any) -> Member:
    """Seed, then build the run's recipe (:func:`~alexnet_lab.run.recipe.build_recipe`)."""
    pl.seed_everything(int(cfg.seed), workers=True)
    recipe = build_recipe(cfg, datamodule.input_shape, datamodule.num_classes)
    generator = torch.Generator()
    generator.set_state(torch.get_rng_state())  # where the sequential run's stream stands
    check_channels_last(cfg.trainer.get("channels_last"))
    session.set_format(run_format(cfg, channels_last=False))  # see StackedModel
    return Member(
        cfg,
        session,
        recipe.model,
        recipe.optimizer,
        recipe.scheduler,
        generator,
        recipe.decay,
        int(cfg.trainer.max_epochs),
    )


def save_checkpoint(member: Member, state: Tensors, momentum: Tensors) -> None:
    """The member's ``last.ckpt`` equivalent: weights, momentum, lr, schedule, generator."""
    path = member.checkpoint
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": "alexnet-lab-stacked-1",
        "epoch": member.epoch,
        "state_dict": state,
        "momentum": momentum,
        "lrs": [g["lr"] for g in member.optimizer.param_groups],
        "scheduler": member.scheduler.state_dict() if member.scheduler is not None else None,
        "generator": member.generator.get_state(),
    }
    tmp = path.with_suffix(".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)


def load_checkpoint(member: Member, path: Path) -> None:
    """Continue a member from its checkpoint (the epoch after the last finished one)."""
    payload = torch.load(path, map_location="cpu", weights_only=False)
    member.model.load_state_dict(payload["state_dict"])
    member.momentum = payload["momentum"]
    for group, lr in zip(member.optimizer.param_groups, payload["lrs"], strict=True):
        group["lr"] = lr
    if member.scheduler is not None and payload["scheduler"] is not None:
        member.scheduler.load_state_dict(payload["scheduler"])
    member.generator.set_state(payload["generator"])
    member.epoch = int(payload["epoch"])


def sgd_step(
    params: Tensors, grads: Tensors, momentum: Tensors, lr: torch.Tensor, hyper: dict[str, Any]
) -> None:
    """One SGD-with-momentum step of every member (``torch.optim.SGD``'s order of operations)."""
    for name, weight in params.items():
        shape = (-1,) + (1,) * (weight.dim() - 1)
        grad = grads[name]
        decay = hyper["decay"].get(name)
        if decay is not None:
            grad = grad + decay.view(shape) * weight
        buf = momentum[name]
        buf.mul_(hyper["momentum"].view(shape)).add_(grad)
        weight.add_(buf * (-lr).view(shape))


def _hyper(members: list[Member], params: Tensors, device: torch.device) -> dict[str, Any]:
    momentum = torch.tensor([float(m.group["momentum"]) for m in members], device=device)
    decay: dict[str, torch.Tensor] = {}
    for name in params:
        values = [float(m.group["weight_decay"]) if name in m.decay else 0.0 for m in members]
        if any(values):
            decay[name] = torch.tensor(values, device=device)
    return {"momentum": momentum, "decay": decay}


@torch.no_grad()
def evaluate(
    stack: StackedModel,
    data: DeviceData,
    eval_crop: int | None,
    ten_crop: bool = False,
    train_eval: bool = False,
) -> dict[str, torch.Tensor]:
    """Top-1/top-5 error and mean loss (M,) of every member on the validation split.

    ``train_eval``: on the fixed training subset instead (``train_eval_error``).
    """
    wrong = top5 = nll = torch.zeros(stack.size, device=data.device, dtype=torch.float64)
    seen = 0
    for images, labels in data.val_batches(train_eval):
        log_probs = stack.log_probs(images, eval_crop, ten_crop)  # M, B, K
        m, b, k = log_probs.shape
        nll = nll + F.nll_loss(log_probs.flatten(0, 1), labels.repeat(m), reduction="none").view(
            m, b
        ).sum(1)
        wrong = wrong + (log_probs.argmax(-1) != labels).sum(1)
        best = log_probs.topk(min(5, k), dim=-1).indices
        top5 = top5 + (~(best == labels[None, :, None]).any(-1)).sum(1)
        seen += b
    return {"error": wrong / seen, "top5_error": top5 / seen, "loss": nll / seen}


def train_stack(
    members: list[Member],
    data: DeviceData,
    test_views: list[str],
    on_epoch: Callable[[Member, dict[str, Any]], None],
    on_end: Callable[[Member], None],
) -> None:
    """Train the members side by side until each completes, diverges or is interrupted.

    ``on_epoch(member, row)`` records a finished epoch; ``on_end(member)`` closes a member
    whose status is final (``completed`` with its ``tests``, or ``diverged``).
    """
    running = list(members)
    if not running:
        return
    device = data.device
    eval_crop = running[0].cfg.augmentation.crop
    stack = StackedModel([m.model for m in running], device, bf16=bf16(running[0].cfg))
    momentum = {k: torch.zeros_like(v) for k, v in stack.params.items()}
    for i, m in enumerate(running):
        for k, v in (m.momentum or {}).items():
            momentum[k][i].copy_(v)
    steps = data.steps_per_epoch()
    fit_start = time.perf_counter()
    # a member resumed after its last epoch but before its test is tested right away
    running, momentum = _complete(running, stack, momentum, data, test_views, on_end)
    while running:
        hyper = _hyper(running, stack.params, device)
        lr = torch.tensor([m.lr for m in running], device=device)
        orders = torch.stack([data.epoch_order(m.generator) for m in running])
        wrong = torch.zeros(len(running), device=device, dtype=torch.float64)
        loss_sum = torch.zeros_like(wrong)
        seen, epoch_start = 0, time.perf_counter()
        alive = torch.arange(len(running), device=device)  # the rows of `orders` still training
        # each member's first step with a non-finite loss (-1: none yet) and that loss, kept on
        # the device and read every few steps (alexnet_lab.run.divergence). A diverged member's
        # later steps change only its own rows, and it leaves the stack at the next check,
        # recorded at its first step.
        first_bad = torch.full((len(running),), -1, dtype=torch.long, device=device)
        bad_loss = torch.zeros(len(running), device=device)
        for step, index in enumerate(data.batch_indices(orders)):
            images, labels = data.train_batch(index[alive], [m.generator for m in running])
            grads, loss, logits = stack.train_step(images, labels)
            sgd_step(stack.params, grads, momentum, lr, hyper)
            wrong += (logits.argmax(-1) != labels).sum(1)
            loss_sum += loss.detach().double() * labels.shape[1]
            seen += labels.shape[1]
            first_bad, bad_loss = note_non_finite(loss, step, first_bad, bad_loss)
            if not is_check_step(step, steps):
                continue
            failed = (first_bad >= 0).nonzero().flatten().tolist()
            if not failed:
                continue
            for i in failed:
                m = running[i]
                at = m.epoch * steps + int(first_bad[i]) + 1
                error = DivergedError(m.epoch + 1, at, float(bad_loss[i]), m.lr)
                m.session.fail(error)
                on_end(m)
            keep = (first_bad < 0).nonzero().flatten()
            alive = alive[keep]  # the epoch's later batches: the survivors' orders only
            (momentum,) = stack.select(keep, [momentum])
            running = [running[i] for i in keep.tolist()]
            wrong, loss_sum, lr = wrong[keep], loss_sum[keep], lr[keep]
            first_bad, bad_loss = first_bad[keep], bad_loss[keep]
            hyper = _hyper(running, stack.params, device)
            if not running:
                return
        val = evaluate(stack, data, eval_crop)
        measured = data.train_eval_images is not None  # the run measures train_eval_error
        train_eval = (
            evaluate(stack, data, eval_crop, train_eval=True)["error"] if measured else None
        )
        seconds = round(time.perf_counter() - epoch_start, 3)
        for i, m in enumerate(running):
            data.validation_draw(m.generator)
            row = {
                "epoch": m.epoch + 1,
                "train_error": round(float(wrong[i] / seen), 6),
                "train_loss": round(float(loss_sum[i] / seen), 6),
                **_clean_error(train_eval, i),
                "val_error": round(float(val["error"][i]), 6),
                "val_top5_error": round(float(val["top5_error"][i]), 6),
                "val_loss": round(float(val["loss"][i]), 6),
                "lr": m.lr,
                # the member's share of the stack's epoch, so seconds summed over a sweep's
                # records is its wall time, as for sequential runs; the whole epoch beside it
                "seconds": round(seconds / len(running), 3),
                "stack_seconds": seconds,
                "elapsed": round(time.perf_counter() - fit_start, 3),
            }
            if m.scheduler is not None:
                m.scheduler.step(float(val["error"][i]))
            m.epoch += 1
            save_checkpoint(m, stack.member_state(i), {k: v[i].cpu() for k, v in momentum.items()})
            on_epoch(m, row)
        running, momentum = _complete(running, stack, momentum, data, test_views, on_end)


def _complete(
    running: list[Member],
    stack: StackedModel,
    momentum: Tensors,
    data: DeviceData,
    test_views: list[str],
    on_end: Callable[[Member], None],
) -> tuple[list[Member], Tensors]:
    """Test the members that are done (once per view), close them, unstack them.

    Done: ``max_epochs`` reached, or the target reached under ``stop_at_target``.
    """
    done = [
        i for i, m in enumerate(running) if m.epoch >= m.max_epochs or m.record.stopped_at_target
    ]
    if not done:
        return running, momentum
    eval_crop = running[0].cfg.augmentation.crop
    tests = {
        view: evaluate(stack, data, eval_crop, ten_crop=view == "ten_crop") for view in test_views
    }
    for i in done:
        m = running[i]
        m.tests = {
            view: {
                "test_error": float(t["error"][i]),
                "test_top5_error": float(t["top5_error"][i]),
            }
            for view, t in tests.items()
        }
        m.completed = True
        on_end(m)
    keep = [i for i in range(len(running)) if i not in done]
    (momentum,) = stack.select(torch.tensor(keep, dtype=torch.long, device=data.device), [momentum])
    return [running[i] for i in keep], momentum


def _clean_error(train_eval: torch.Tensor | None, i: int) -> dict[str, float]:
    """Member ``i``'s ``train_eval_error`` as a row's entry, where the run measures it."""
    return {} if train_eval is None else {"train_eval_error": round(float(train_eval[i]), 6)}
