"""Training-set statistics: the mean image, channel spread and the RGB PCA of the paper.

The paper subtracts "the mean activity over the training set from each pixel" (a mean image)
and, for PCA lighting, uses the eigenvectors and eigenvalues of the 3x3 covariance of RGB
pixel values over the training set (section 4.1). All of it comes from one pass over the
training images, accumulated in float64, and is cached beside the data so that a data set
that must be decoded from files is read for its statistics once, not once per run.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch


@dataclass
class ImageStats:
    """Statistics of a training set, pixel values in 0-255 units unless said otherwise.

    ``pixel_mean`` is the mean image (C, H, W); ``channel_mean`` / ``channel_std`` are per
    channel; ``eigvals`` (descending) and ``eigvecs`` (columns) are those of the channel
    covariance of pixel values on the 0-1 scale, the unit PCA lighting's formula is applied in.
    """

    pixel_mean: torch.Tensor
    channel_mean: torch.Tensor
    channel_std: torch.Tensor
    eigvals: torch.Tensor
    eigvecs: torch.Tensor
    count: int

    def mean(self, kind: str) -> torch.Tensor:
        """The mean to subtract: the mean image (``pixel``) or per-channel (``channel``)."""
        return self.pixel_mean if kind == "pixel" else self.channel_mean


class StatsAccumulator:
    """Running sums over uint8 batches (N, C, H, W) of one training set."""

    def __init__(self) -> None:
        self.count = 0
        self.pixel_sum: torch.Tensor | None = None
        self.second: torch.Tensor | None = None  # C x C sum of x x^T over all pixels

    def add(self, images: torch.Tensor) -> None:
        """Add one batch of uint8 images."""
        x = images.to(torch.float64)
        if self.pixel_sum is None:
            self.pixel_sum = torch.zeros(x.shape[1:], dtype=torch.float64)
            self.second = torch.zeros(x.shape[1], x.shape[1], dtype=torch.float64)
        assert self.second is not None
        self.pixel_sum += x.sum(dim=0)
        flat = x.transpose(0, 1).reshape(x.shape[1], -1)
        self.second += flat @ flat.T
        self.count += x.shape[0]

    def result(self) -> ImageStats:
        """The statistics of everything added so far."""
        if self.pixel_sum is None or self.second is None or self.count == 0:
            raise ValueError("no images to compute statistics from")
        pixel_mean = self.pixel_sum / self.count
        n_pixels = self.count * pixel_mean.shape[1] * pixel_mean.shape[2]
        channel_mean = pixel_mean.mean(dim=(1, 2))
        moment = self.second / n_pixels
        covariance = moment - torch.outer(channel_mean, channel_mean)
        channel_std = covariance.diagonal().clamp_min(0).sqrt()
        eigvals, eigvecs = torch.linalg.eigh(covariance / 255.0**2)
        order = eigvals.argsort(descending=True)
        return ImageStats(
            pixel_mean=pixel_mean.float(),
            channel_mean=channel_mean.float(),
            channel_std=channel_std.float(),
            eigvals=eigvals[order].clamp_min(0).float(),
            eigvecs=eigvecs[:, order].float(),
            count=self.count,
        )


def compute_stats(batches: Iterable[torch.Tensor]) -> ImageStats:
    """Statistics of a training set given as an iterable of uint8 batches (N, C, H, W)."""
    acc = StatsAccumulator()
    for batch in batches:
        acc.add(batch)
    return acc.result()


def tensor_batches(images: torch.Tensor, chunk: int = 2048) -> Iterable[torch.Tensor]:
    """Split an in-memory uint8 tensor into chunks (bounded float64 memory)."""
    for start in range(0, images.shape[0], chunk):
        yield images[start : start + chunk]


def fingerprint(parts: object) -> str:
    """A short stable hash of a JSON-able description (file list, sizes, options)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def writable_cache_dir(preferred: Path) -> Path:
    """``preferred`` if it can be created and written, else a per-user cache folder.

    A shared, read-only data set (ImageNet on a cluster) cannot take a cache beside it; the
    fallback is ``~/.cache/alexnet-lab/<hash of the preferred path>``, said in a warning.
    """
    try:
        preferred.mkdir(parents=True, exist_ok=True)
        if os.access(preferred, os.W_OK):
            return preferred
    except OSError:
        pass
    fallback = Path.home() / ".cache" / "alexnet-lab" / fingerprint(str(preferred))
    fallback.mkdir(parents=True, exist_ok=True)
    warnings.warn(
        f"cannot write the data cache in {preferred}; using {fallback} instead", stacklevel=2
    )
    return fallback


def save_stats(path: Path, stats: ImageStats) -> None:
    """Write statistics atomically (a crash never leaves half a cache file)."""
    tmp = path.with_suffix(".tmp")
    torch.save(asdict(stats), tmp)
    tmp.replace(path)


def load_stats(path: Path) -> ImageStats | None:
    """Read cached statistics, or None when absent or unreadable (then they are recomputed)."""
    if not path.exists():
        return None
    try:
        return ImageStats(**torch.load(path, weights_only=True))
    except Exception as exc:  # a damaged cache is rebuilt, with a word
        warnings.warn(f"ignoring the unreadable statistics cache {path} ({exc})", stacklevel=2)
        return None
