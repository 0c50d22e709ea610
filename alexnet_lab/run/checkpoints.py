"""Where a run keeps its weights: ``checkpoints/last.ckpt`` and ``checkpoints/best.ckpt``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Lightning loads with the run, not with a sweep's folder checks
    from pytorch_lightning.callbacks import ModelCheckpoint

CHECKPOINT_DIR = "checkpoints"
LAST = "last.ckpt"


def last_checkpoint(output_dir: Path) -> Path:
    """The checkpoint a resumed run continues from (written after every epoch)."""
    return output_dir / CHECKPOINT_DIR / LAST


#: a stacked member's checkpoint (the stacked engine's own format), beside Lightning's
STACKED_LAST = "stacked_last.pt"


def stacked_checkpoint(output_dir: Path) -> Path:
    """The checkpoint a stacked member writes after every epoch."""
    return output_dir / CHECKPOINT_DIR / STACKED_LAST


def checkpointers(output_dir: Path) -> list[ModelCheckpoint]:
    """``checkpoints/last.ckpt`` after every epoch, and the best by validation error.

    Two callbacks: Lightning's ``save_last`` writes ``last.ckpt`` only in epochs where the
    monitored checkpoint improved, which is not what a resume needs.
    """
    from pytorch_lightning.callbacks import ModelCheckpoint

    folder = output_dir / CHECKPOINT_DIR
    return [
        ModelCheckpoint(dirpath=folder, filename="last", enable_version_counter=False),
        ModelCheckpoint(
            dirpath=folder,
            filename="best",
            enable_version_counter=False,
            monitor="val_error",
            mode="min",
            save_top_k=1,
        ),
    ]
