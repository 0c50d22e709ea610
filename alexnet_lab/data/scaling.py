"""Input scale: how pixel bytes become network input (docs/claims.md, "Data")."""

from __future__ import annotations

import torch

from alexnet_lab.choices import check_scale


def channel_stats(images: torch.Tensor, chunk: int = 4096) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and std (0-255 units) of uint8 images shaped (N, C, H, W)."""
    n_pixels = images.shape[0] * images.shape[2] * images.shape[3]
    total = torch.zeros(images.shape[1], dtype=torch.float64)
    total_sq = torch.zeros_like(total)
    for start in range(0, images.shape[0], chunk):
        block = images[start : start + chunk].to(torch.float64)
        total += block.sum(dim=(0, 2, 3))
        total_sq += (block * block).sum(dim=(0, 2, 3))
    mean = total / n_pixels
    std = (total_sq / n_pixels - mean * mean).clamp_min(0).sqrt()
    return mean.float(), std.float()


def apply_scale(
    images: torch.Tensor, scale: str, mean: torch.Tensor, std: torch.Tensor
) -> torch.Tensor:
    """Turn a uint8 batch (N, C, H, W) into float input at the given scale.

    ``mean`` is per channel (C,) or a mean image (C, H, W), in 0-255 units; ``std`` per channel.
    """
    mean = mean.view(-1, 1, 1) if mean.dim() == 1 else mean
    x = images.float() - mean.unsqueeze(0).to(images.device)
    if scale == "raw":
        return x
    if scale == "unit":
        return x / 255.0
    if scale == "standard":
        return x / std.clamp_min(1e-8).view(1, -1, 1, 1).to(images.device)
    check_scale(scale)
    raise AssertionError("unreachable")


def unit_to_input(scale: str, std: torch.Tensor) -> torch.Tensor:
    """Per-channel factor turning a 0-1-scale offset into the input's units at ``scale``."""
    if scale == "raw":
        return torch.full_like(std, 255.0)
    if scale == "unit":
        return torch.ones_like(std)
    return 255.0 / std.clamp_min(1e-8)
