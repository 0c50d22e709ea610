"""Whether the model can take the images the data gives it, checked before any data loads.

The model sees the crop size when the augmentation crops (``augmentation.crop``), else the
whole image (``data.image_size``). The model is built and run once on PyTorch's ``meta``
device (shapes only: no memory, no data, milliseconds), so a size its layers cannot take
(``data.image_size=4``, whose feature maps shrink to nothing) is one paragraph, exit 2, not a
traceback from inside the first batch.
"""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig, OmegaConf

from alexnet_lab.errors import UserError
from alexnet_lab.run.validation import ConfigValueError

#: the largest input size the search for the smallest that works tries
LARGEST = 1024


def input_size(cfg: DictConfig) -> tuple[str, int] | None:
    """The option that sets the model's input size and its value; None when the data sets it."""
    for key in ("augmentation.crop", "data.image_size"):
        value = OmegaConf.select(cfg, key, default=None)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return key, value
    return None


def _runs(cfg: DictConfig, size: int) -> str | None:
    """None when the model runs on ``size`` x ``size`` images, else why not."""
    import torch

    from alexnet_lab.models import build_model

    channels = OmegaConf.select(cfg, "data.channels", default=3) or 3
    classes = OmegaConf.select(cfg, "data.num_classes", default=10) or 10
    try:
        with torch.device("meta"):
            model: Any = build_model(cfg, int(channels), int(classes), size)
            model.eval()
            model(torch.empty(2, int(channels), size, size))
    except UserError as exc:  # the model's own word on the sizes it takes
        return str(exc)
    except RuntimeError as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


def check_input_size(cfg: DictConfig) -> None:
    """Raise :class:`ConfigValueError` when the model cannot take the configured input size."""
    crop = OmegaConf.select(cfg, "augmentation.crop", default=None)
    image = OmegaConf.select(cfg, "data.image_size", default=None)
    if isinstance(crop, int) and isinstance(image, int) and crop > image > 0:
        raise ConfigValueError(
            f"augmentation.crop={crop} (data.crop_size) is larger than the images "
            f"(data.image_size={image}). Set data.image_size to at least {crop}, or a smaller "
            "crop (data.crop_size=...), or augmentation=none. Nothing was trained."
        )
    found = input_size(cfg)
    if found is None or OmegaConf.select(cfg, "model.name", default=None) is None:
        return
    key, size = found
    why = _runs(cfg, size)
    if why is None:
        return
    if not why.startswith("RuntimeError"):
        raise ConfigValueError(f"{key}={size}: {why}")
    smallest = _smallest(cfg, size)
    fix = f"Use {key}={smallest} or larger" if smallest else "Use larger images or another model"
    raise ConfigValueError(
        f"{key}={size}: model={cfg.model.name} cannot take {size}x{size} images: its "
        f"convolutions and pooling shrink them to nothing ({why}). {fix}. Nothing was trained."
    )


def _smallest(cfg: DictConfig, failing: int) -> int | None:
    """The smallest input size above ``failing`` that the model takes; None up to LARGEST."""
    low, high = failing, failing * 2
    while _runs(cfg, high) is not None:
        low, high = high, high * 2
        if high > LARGEST:
            return None
    while high - low > 1:  # low fails, high works
        middle = (low + high) // 2
        low, high = (low, middle) if _runs(cfg, middle) is None else (middle, high)
    return high
