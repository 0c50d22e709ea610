"""A run's tensor format: its memory layout (channels-last where it was measured faster) and bf16.

``trainer.channels_last`` (null: auto, true, false) chooses how the model's weights and every
batch lie in memory. Channels-last (NHWC) is the same fp32 arithmetic as the contiguous NCHW
layout, in another order of memory: its results equal the contiguous layout's within float
rounding. Auto takes it on the CPU for the nets and norms whose catalog entry says it was
measured faster there (``channels_last`` in :mod:`alexnet_lab.models.catalog`, the norms,
from ``bench/cpu_speed.py``), and leaves every net contiguous on a GPU (not measured there yet).

``trainer.precision`` is Lightning's own switch; the stacked engine follows ``bf16-mixed``
with ``torch.autocast`` (fp32 weights, bf16 arithmetic where autocast chooses it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alexnet_lab.choices import check_channels_last

#: the trainer options of this module that Lightning's ``Trainer`` does not take
LAYOUT_KEYS = ("channels_last",)
#: precisions both engines train in: fp32, and bf16 autocast over fp32 weights
PRECISIONS = ("32", "32-true", "bf16-mixed")


def device_type(trainer: Mapping[str, Any]) -> str:
    """``cuda`` or ``cpu``: where ``trainer.accelerator`` (auto: CUDA when present) trains."""
    accelerator = str(trainer.get("accelerator", "auto"))
    if accelerator in ("gpu", "cuda"):
        return "cuda"
    if accelerator == "auto":
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    return "cpu"


def use_channels_last(cfg: Mapping[str, Any], device: str | None = None) -> bool:
    """Whether this run's model and batches are channels-last (see the module's docstring)."""
    from alexnet_lab.models.catalog import model_spec

    trainer = cfg["trainer"]
    setting = trainer.get("channels_last")
    check_channels_last(setting)
    if setting is not None:
        return bool(setting)
    device = device or device_type(trainer)
    faster = model_spec(str(cfg["model"]["name"])).channels_last
    return device == "cpu" and str(cfg["norm"]["name"]) in faster


def bf16(cfg: Mapping[str, Any]) -> bool:
    """Whether ``trainer.precision`` is ``bf16-mixed`` (bf16 autocast, fp32 weights)."""
    return str(cfg["trainer"].get("precision", "32-true")) == "bf16-mixed"


def run_format(cfg: Mapping[str, Any], channels_last: bool) -> dict[str, str]:
    """What a record says (in ``machine``) about how its run computed: layout and precision."""
    layout = "channels_last" if channels_last else "contiguous"
    return {"memory_format": layout, "precision": str(cfg["trainer"].get("precision", "32-true"))}
