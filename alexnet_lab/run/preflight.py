"""A run's checks before anything loads, in one list and one order for every path, made once.

Its values (types, ranges, the word options), the switches its model has, the test views its
data can give, W&B's settings, and last whether the model takes the images (a shapes-only
pass on the meta device: the one check that loads torch, so every other refusal answers
without it). Each job makes them once, and its :class:`~alexnet_lab.run.context.JobContext`
then says so (``checked``): a single run before Lightning loads
(:func:`alexnet_lab.run.early_checks.check_single_run`), a sweep's job in its Hydra job
(:func:`alexnet_lab.engines.lightning.job.guarded_job`), the stacked launcher for each job
before it stacks it (a job it hands to the job path instead, one that fails them, a completed
run to skip, a Lightning checkpoint, is checked there again: the job path answers for it),
:func:`alexnet_lab.engines.lightning.train.train` only when called on its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from omegaconf import DictConfig

from alexnet_lab.models import check_switches
from alexnet_lab.overrides import parse_overrides
from alexnet_lab.run.context import JobContext
from alexnet_lab.run.input_size import check_input_size
from alexnet_lab.run.validation import validate
from alexnet_lab.run.views import views_to_test
from alexnet_lab.tracking.wandb_settings import check_wandb


def preflight(cfg: DictConfig, overrides: Sequence[str]) -> None:
    """Raise the first failed check's error (a :class:`~alexnet_lab.errors.UserError`).

    ``ConfigValueError``: a value or the input size; ``UserError``: a switch the model lacks
    (``overrides``: the task overrides as typed) or a test view the data cannot give;
    ``WandbSettingsError``: W&B's mode, project or key.
    """
    validate(cfg)
    check_switches(str(cfg.model.name), parse_overrides(list(overrides)))
    views_to_test(cfg)
    check_wandb(cfg)
    check_input_size(cfg)


def check_job(cfg: DictConfig, context: JobContext) -> JobContext:
    """The job's checks (:func:`preflight`) unless ``context`` says they were made; then it does.

    Returns the context marked ``checked``; raises what :func:`preflight` raises.
    """
    if not context.checked:
        preflight(cfg, context.overrides)
    return dataclasses.replace(context, checked=True)
