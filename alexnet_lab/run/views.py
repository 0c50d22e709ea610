"""The test views of a run (C7): the centre crop, the ten crops, or both on the same weights."""

from __future__ import annotations

from omegaconf import DictConfig

from alexnet_lab.errors import UserError


def views_of(cfg: DictConfig) -> list[str]:
    """The test views of a run: ``tta.test_views`` (the tta experiment tests both), else tta.

    Unchecked: :func:`views_to_test`, one of the run's pre-run checks, refuses views its data
    cannot give.
    """
    views = list(cfg.tta.get("test_views") or [cfg.tta.name])
    return views if cfg.tta.name in views else [cfg.tta.name, *views]


def views_to_test(cfg: DictConfig) -> list[str]:
    """The run's test views (:func:`views_of`), or the error that says why it cannot test them."""
    views = views_of(cfg)
    if "ten_crop" in views and not cfg.augmentation.crop:
        raise UserError(
            f"tta=ten_crop needs crops, but augmentation={cfg.augmentation.name} feeds the "
            f"model whole {cfg.data.name} images, so the ten views would be one image and its "
            "mirror. Use augmentation=crop_flip or paper (the test then takes the four corner "
            "and centre crops of the crop size and their mirrors), or tta=center."
        )
    return views
