"""A non-finite training loss, noted on the device and read only every few steps.

Both engines use it: the sequential run's :class:`~alexnet_lab.engines.lightning.callbacks.
DivergenceMonitor` (one loss) and the stacked loop (one loss per member). Reading a loss back
to the host at every step would make it wait for a GPU at every step; instead the first
non-finite step and its loss are kept on the device and read every ``CHECK_EVERY`` steps and
at the epoch's last step, and the error still names the first non-finite step.
"""

from __future__ import annotations

import torch

#: steps between two reads of the divergence state (the epoch's last step is always read)
CHECK_EVERY = 16


def note_non_finite(
    loss: torch.Tensor, step: int, first_bad: torch.Tensor, bad_loss: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """``first_bad`` (-1: none yet) and ``bad_loss`` updated with this step's ``loss``.

    Where ``loss`` is not finite and no earlier step was, the entry takes ``step`` and the
    loss; nothing is read back to the host.
    """
    loss = loss.detach()
    new = ~torch.isfinite(loss) & (first_bad < 0)
    return torch.where(new, step, first_bad), torch.where(new, loss, bad_loss)


def is_check_step(index: int, steps: float) -> bool:
    """Whether the epoch's step ``index`` (from 0) of ``steps`` reads the divergence state."""
    return (index + 1) % CHECK_EVERY == 0 or index + 1 >= steps
