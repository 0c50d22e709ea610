"""Batch-level views of images: random crops with flips for training, centre and ten-crop tests.

All work on whole batches as tensors on the batch's device (no per-image PIL work), drawing
from torch's global generator, which ``seed_everything`` seeds: the crops of a run are
reproducible per seed and random per image.

The test views are torchvision's (``transforms.v2.functional``), which crop the last two
dimensions of a tensor of any batch shape. The training crops are not: torchvision's
``RandomCrop``/``RandomHorizontalFlip`` draw one window and one flip per call, i.e. per batch,
where the paper draws them per image; :func:`random_crop_flip` gathers a window per image.
PCA lighting has no torchvision counterpart.
"""

from __future__ import annotations

import torch
from torchvision.transforms.v2 import functional as TF


def random_crop_flip(images: torch.Tensor, size: int, flip: bool = True) -> torch.Tensor:
    """One random ``size`` x ``size`` crop per image, mirrored left-right with probability 1/2."""
    n, c, h, w = images.shape
    device = images.device
    top = torch.randint(0, h - size + 1, (n,), device=device)
    left = torch.randint(0, w - size + 1, (n,), device=device)
    steps = torch.arange(size, device=device)
    rows = (top[:, None] + steps)[:, None, :, None]  # n, 1, size, 1
    cols = (left[:, None] + steps)[:, None, None, :]  # n, 1, 1, size
    batch = torch.arange(n, device=device)[:, None, None, None]
    channel = torch.arange(c, device=device)[None, :, None, None]
    crops = images[batch, channel, rows, cols]
    if flip:
        mirrored = torch.rand(n, device=device) < 0.5
        crops = torch.where(mirrored[:, None, None, None], crops.flip(-1), crops)
    return crops


def center_crop(images: torch.Tensor, size: int) -> torch.Tensor:
    """The central ``size`` x ``size`` patch of every image (torchvision's ``center_crop``)."""
    return TF.center_crop(images, [size, size])


def ten_crops(images: torch.Tensor, size: int) -> torch.Tensor:
    """The paper's ten test patches: four corners and the centre, and their mirror images.

    Order: top-left, top-right, bottom-left, bottom-right, centre (torchvision's
    ``five_crop``), then the mirror image of each of the five in the same order. torchvision's
    ``ten_crop`` holds the same ten views in another order (it crops the mirrored image, so its
    sixth view is the mirrored top-right patch); view ``5 + i`` here is view ``i`` mirrored.
    Returns a tensor shaped (10, N, C, size, size).
    """
    views = torch.stack(TF.five_crop(images, [size, size]))
    return torch.cat([views, TF.horizontal_flip(views)])


def pca_lighting(
    images: torch.Tensor,
    eigvals: torch.Tensor,
    eigvecs: torch.Tensor,
    alpha: torch.Tensor,
    unit_scale: torch.Tensor | None = None,
) -> torch.Tensor:
    """The paper's PCA lighting (section 4.1) with given draws ``alpha`` (N, C).

    To every pixel of image n add ``[p1 p2 p3] [a1 l1, a2 l2, a3 l3]^T``: the eigenvectors
    ``eigvecs`` (columns p_i) and eigenvalues ``eigvals`` (l_i) of the RGB covariance of the
    training set on the 0-1 scale. ``unit_scale`` (C,) turns that 0-1 offset into the batch's
    input units (255 for raw input; see ``scaling.unit_to_input``).
    """
    offset = (alpha.to(images.device) * eigvals.to(images.device)) @ eigvecs.T.to(images.device)
    if unit_scale is not None:
        offset = offset * unit_scale.to(images.device)
    return images + offset[:, :, None, None]


def random_pca_lighting(
    images: torch.Tensor,
    eigvals: torch.Tensor,
    eigvecs: torch.Tensor,
    std: float = 0.1,
    unit_scale: torch.Tensor | None = None,
) -> torch.Tensor:
    """PCA lighting with alpha_i ~ N(0, std) drawn once per image (the paper's std is 0.1)."""
    alpha = torch.randn(images.shape[0], eigvals.shape[0], device=images.device) * std
    return pca_lighting(images, eigvals, eigvecs, alpha, unit_scale)
