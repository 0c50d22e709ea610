"""A job's checks before Lightning loads: a bad value or W&B setting answers in seconds.

A single run makes them (:func:`alexnet_lab.run.preflight.preflight`) in
:func:`check_single_run`, before the run's modules (Lightning, torchvision, W&B) load; only
torch loads, for the model registry's checks.
:func:`alexnet_lab.engines.lightning.job.guarded_job` makes the same checks for every job, where
a sweep's job with a bad value is recorded ``failed`` and the sweep goes on.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from alexnet_lab.console import print_error
from alexnet_lab.errors import UserError
from alexnet_lab.folders.unused import remove_unused_folder
from alexnet_lab.run import roles
from alexnet_lab.run.preflight import preflight
from alexnet_lab.run.validation import ConfigValueError
from alexnet_lab.tracking.wandb_settings import WandbSettingsError, check_wandb


def check_single_run(cfg: DictConfig) -> None:
    """In a single run (not a sweep's job, not a DDP child): its values, then W&B; or exit 2."""
    hydra = HydraConfig.get()
    if hydra.mode == RunMode.MULTIRUN or roles.is_ddp_child():
        return
    output_dir = Path(hydra.runtime.output_dir)
    try:
        preflight(cfg, hydra.overrides.task)
    except WandbSettingsError as exc:
        refuse_wandb(exc, output_dir)
    except ConfigValueError as exc:
        refuse_single_run(exc, output_dir)
    except UserError as exc:  # a switch the model lacks, a test view its data cannot give
        refuse_single_run(exc, output_dir, "cannot run")


def refuse_single_run(exc: UserError, output_dir: Path, title: str = "invalid value") -> NoReturn:
    """A single run that cannot start: the paragraph, no output folder left, exit 2."""
    print_error(title, str(exc))
    if not roles.is_secondary_process():
        remove_unused_folder(output_dir)
    sys.exit(2)


def check_wandb_or_exit(cfg: DictConfig, output_dir: Path) -> None:
    """W&B's mode, project name and API key, before any data loads: a bad one exits 2.

    The same for every job of a sweep, so a sweep stops at its first job (nothing trained).
    """
    try:
        check_wandb(cfg)
    except WandbSettingsError as exc:
        refuse_wandb(exc, output_dir)


def refuse_wandb(exc: WandbSettingsError, output_dir: Path) -> NoReturn:
    """A W&B setting that cannot work: the paragraph, no output folder left, exit 2."""
    print_error("W&B cannot start", str(exc))
    if roles.owns_job_folder():
        remove_unused_folder(output_dir)
    sys.exit(2)
