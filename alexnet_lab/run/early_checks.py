"""A job's checks before Lightning loads: a bad value or W&B setting answers in seconds.

A single run makes them (:func:`alexnet_lab.run.preflight.preflight`) in
:func:`check_single_run`, before the run's modules (Lightning, torchvision, W&B) load: its
values, the switches its model has, the test views its data can give and W&B's settings, all
without torch (the models' catalog, :mod:`alexnet_lab.models.catalog`); then the input size,
the one check that loads torch (the model built on the meta device).
These are the run's checks: its job makes them no more. A sweep's job makes the same checks in
:func:`alexnet_lab.engines.lightning.job.guarded_job`, where a job with a bad value is recorded
``failed`` and the sweep goes on.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from alexnet_lab.errors import CommandEnd, UserError
from alexnet_lab.folders.unused import remove_unused_folder
from alexnet_lab.run import roles
from alexnet_lab.run.preflight import preflight
from alexnet_lab.run.validation import ConfigValueError
from alexnet_lab.tracking.wandb_settings import WandbSettingsError


def check_single_run(cfg: DictConfig) -> bool:
    """In a single run (not a sweep's job, not a DDP child): its checks, or end (2).

    Returns whether it made them (they passed): the job then makes them no more.
    """
    hydra = HydraConfig.get()
    if hydra.mode == RunMode.MULTIRUN or roles.is_ddp_child():
        return False
    output_dir = Path(hydra.runtime.output_dir)
    try:
        preflight(cfg, hydra.overrides.task)
    except WandbSettingsError as exc:
        refuse_wandb(exc, output_dir)
    except ConfigValueError as exc:
        refuse_single_run(exc, output_dir)
    except UserError as exc:  # a switch the model lacks, a test view its data cannot give
        refuse_single_run(exc, output_dir, "cannot run")
    return True


def refuse_single_run(exc: UserError, output_dir: Path, title: str = "invalid value") -> NoReturn:
    """A single run that cannot start: no output folder left; the command ends with exit 2."""
    if not roles.is_secondary_process():
        remove_unused_folder(output_dir)
    raise CommandEnd(2, title, str(exc))


def refuse_wandb(exc: WandbSettingsError, output_dir: Path) -> NoReturn:
    """A W&B setting that cannot work: no output folder left; the command ends with exit 2."""
    if roles.owns_job_folder():
        remove_unused_folder(output_dir)
    raise CommandEnd(2, "W&B cannot start", str(exc)) from None
