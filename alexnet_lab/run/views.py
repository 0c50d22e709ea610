"""The test views of a run (C7): the centre crop, the ten crops, or both on the same weights."""

from __future__ import annotations

from omegaconf import DictConfig

from alexnet_lab.errors import UserError


def views_to_test(cfg: DictConfig) -> list[str]:
    """The test views of a run: ``tta.test_views`` (the tta experiment tests both), else tta."""
    views = list(cfg.tta.get("test_views") or [cfg.tta.name])
    views = views if cfg.tta.name in views else [cfg.tta.name, *views]
    if "ten_crop" in views and not cfg.augmentation.crop:
        raise UserError(
            f"tta=ten_crop needs crops, but augmentation={cfg.augmentation.name} feeds the "
            f"model whole {cfg.data.name} images, so the ten views would be one image and its "
            "mirror. Use augmentation=crop_flip or paper (the test then takes the four corner "
            "and centre crops of the crop size and their mirrors), or tta=center."
        )
    return views
