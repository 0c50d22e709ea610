"""Many copies of one network, trained side by side with ``torch.func``.

``stack_module_state`` stacks the members' parameters along a new leading dimension;
``functional_call`` runs the shared module skeleton with one member's tensors; ``vmap`` maps
that over the members (``randomness="different"``: every member draws its own dropout masks);
``grad_and_value`` gives each member the gradient of its own mean cross-entropy.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, grad_and_value, stack_module_state, vmap

from alexnet_lab.data.transforms import center_crop, ten_crops

Tensors = dict[str, torch.Tensor]


def stack_blocker(model: nn.Module) -> str | None:
    """Why ``model`` cannot be stacked (running statistics), or None when it can."""
    for name, module in model.named_modules():
        if getattr(module, "track_running_stats", False) or isinstance(
            module, nn.modules.batchnorm._NormBase
        ):
            return (
                f"{name or 'the model'} ({type(module).__name__}) keeps running statistics, "
                "which vmap cannot update per member"
            )
    return None


class StackedModel:
    """The members' weights as stacked tensors (leading dim = member), one module skeleton.

    ``bf16``: forward passes under bf16 autocast (``trainer.precision=bf16-mixed``, as
    Lightning's mixed precision), the weights, gradients and SGD step in fp32. The stack keeps
    the contiguous layout: channels-last does not survive ``vmap``'s batched convolutions
    (measured in ``bench/cpu_speed.py --stacked``, docs/benchmarks.md).
    """

    def __init__(
        self, models: Sequence[nn.Module], device: torch.device | str, bf16: bool = False
    ) -> None:
        self.bf16 = bf16
        self.skeleton = copy.deepcopy(models[0]).to(device)
        params, buffers = stack_module_state(list(models))
        self.params: Tensors = {k: v.detach().to(device) for k, v in params.items()}
        self.buffers: Tensors = {k: v.detach().to(device) for k, v in buffers.items()}
        self._step = vmap(grad_and_value(self._member_loss, has_aux=True), randomness="different")
        self._logits = vmap(self._member_logits, in_dims=(0, 0, None), randomness="different")

    def autocast(self) -> AbstractContextManager[object]:
        """bf16 autocast on the stack's device when ``bf16``, else nothing."""
        if not self.bf16:
            return nullcontext()
        device = next(iter(self.params.values())).device.type
        return torch.autocast(device, dtype=torch.bfloat16)

    @property
    def size(self) -> int:
        """Number of members."""
        return int(next(iter(self.params.values())).shape[0])

    def _member_logits(self, params: Tensors, buffers: Tensors, x: torch.Tensor) -> torch.Tensor:
        return functional_call(self.skeleton, (params, buffers), (x,))

    def _member_loss(
        self, params: Tensors, buffers: Tensors, x: torch.Tensor, y: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        logits = self._member_logits(params, buffers, x)
        return F.cross_entropy(logits, y), logits

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor
    ) -> tuple[Tensors, torch.Tensor, torch.Tensor]:
        """Per-member gradients, losses (M,) and logits (M, B, K) of a (M, B, ...) batch."""
        self.skeleton.train()
        with self.autocast():
            grads, (loss, logits) = self._step(self.params, self.buffers, images, labels)
        return grads, loss.float(), logits

    @torch.no_grad()
    def log_probs(
        self, images: torch.Tensor, eval_crop: int | None = None, ten_crop: bool = False
    ) -> torch.Tensor:
        """Every member's log-probabilities (M, N, K) of shared whole images, as the module's."""
        with self.autocast():
            return self._log_probs(images, eval_crop, ten_crop).float()

    def _log_probs(
        self, images: torch.Tensor, eval_crop: int | None = None, ten_crop: bool = False
    ) -> torch.Tensor:
        self.skeleton.eval()
        if eval_crop is None:
            return F.log_softmax(self._logits(self.params, self.buffers, images), dim=-1)
        if not ten_crop:
            crops = center_crop(images, eval_crop)
            return F.log_softmax(self._logits(self.params, self.buffers, crops), dim=-1)
        views = ten_crops(images, eval_crop)  # 10, N, C, s, s
        # one view at a time: a training forward's memory, not ten times it
        probs = torch.stack(
            [F.softmax(self._logits(self.params, self.buffers, view), dim=-1) for view in views]
        )
        return probs.mean(dim=0).clamp_min(1e-12).log()

    def select(self, keep: torch.Tensor, extra: Sequence[Tensors] = ()) -> list[Tensors]:
        """Keep only the members ``keep`` (indices); also index the per-member ``extra`` dicts."""
        self.params = {k: v[keep] for k, v in self.params.items()}
        self.buffers = {k: v[keep] for k, v in self.buffers.items()}
        return [{k: v[keep] for k, v in d.items()} for d in extra]

    def member_state(self, i: int) -> Tensors:
        """Member ``i``'s parameters and buffers as a plain state dict (CPU copies)."""
        state = {k: v[i].detach().cpu().clone() for k, v in self.params.items()}
        state.update({k: v[i].detach().cpu().clone() for k, v in self.buffers.items()})
        return state

    def load_member(self, i: int, state: Tensors) -> None:
        """Overwrite member ``i``'s parameters and buffers from a state dict."""
        for source in (self.params, self.buffers):
            for k, v in source.items():
                if k in state:
                    v[i].copy_(state[k].to(v.device))


def vmap_blocker(model: nn.Module, example: torch.Tensor, num_classes: int) -> str | None:
    """Try a stacked step of two copies of ``model`` on ``example``; why it fails, or None."""
    try:
        stacked = StackedModel([model, model], example.device)
        batch = example.unsqueeze(0).expand(2, *example.shape)
        labels = torch.zeros(2, example.shape[0], dtype=torch.long, device=example.device)
        stacked.train_step(batch, labels % num_classes)
    except Exception as exc:  # anything vmap refuses
        return f"vmap refuses the model ({type(exc).__name__}: {exc})"
    return None
