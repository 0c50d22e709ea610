"""``train(cfg, output_dir)``: one run from a composed config, with no Hydra job around it.

A short list of instantiate steps (seed, data, model, module, loggers, callbacks, trainer),
then fit and a test of the final weights per view. Everything Hydra would know (the task
overrides, the group choices, the sweep folder) comes in as a :class:`JobContext`, so a test
or a notebook calls it with ``hydra.compose(...)``'s config and a folder of its own::

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=["data=synthetic", "logger=none"])
    record = train(cfg, Path("runs/try"))

What a failure means (a sweep going on, exit codes, W&B's exit code) is the Hydra job's
business (:mod:`alexnet_lab.engines.lightning.job`); here an exception simply propagates.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.callbacks import ProgressBar

from alexnet_lab.engines.lightning.callbacks import (
    DivergenceMonitor,
    RNGState,
    RunRecorder,
    StopAtTarget,
)
from alexnet_lab.engines.lightning.module import build_classifier
from alexnet_lab.record.files import RunRecord, chance_error
from alexnet_lab.run.checkpoints import checkpointers
from alexnet_lab.run.context import JobContext
from alexnet_lab.run.measures import measures_train_eval
from alexnet_lab.run.preflight import check_job
from alexnet_lab.run.session import RunSession
from alexnet_lab.run.tensor_format import LAYOUT_KEYS, run_format, use_channels_last
from alexnet_lab.run.views import views_of
from alexnet_lab.tracking.loggers import logger_options
from alexnet_lab.tracking.wandb_agent import group_name


def train(
    cfg: DictConfig,
    output_dir: Path | str,
    context: JobContext | None = None,
    *,
    checkpoint: Path | None = None,
    session: RunSession | None = None,
) -> RunRecord:
    """Train and test one configuration in ``output_dir``; return its completed run record.

    ``session``: the run's session, when the caller opened it (the Hydra job: a resumed run's
    continues its record), else a new one is opened; ``checkpoint``: the Lightning checkpoint
    to resume from. The run's pre-run checks are made first unless ``context.checked`` says
    the caller made them (:func:`~alexnet_lab.run.preflight.check_job`). The record is
    written to ``output_dir/record.json`` after every epoch and at the end, and the weights to
    ``output_dir/checkpoints/``. A W&B run is left open (the caller finishes it).
    """
    context = check_job(cfg, context or JobContext())  # none when the job made them
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    if session is None:
        session = RunSession.open(cfg, output_dir, context, wandb_group=wandb_group(cfg, context))
    record = session.record
    views = views_of(cfg)
    pl.seed_everything(int(cfg.seed), workers=True)

    augmentation = {k: v for k, v in cfg.augmentation.items() if k != "name"}
    datamodule = instantiate(
        cfg.data, **augmentation, train_eval=measures_train_eval(cfg)
    )  # validates options, loads nothing yet
    channels_last = use_channels_last(cfg)
    module = build_classifier(cfg, datamodule, channels_last)
    session.set_format(run_format(cfg, channels_last))
    loggers = instantiate_loggers(cfg, output_dir, record, context)
    show_progress = progress_bar(cfg)
    callbacks = [instantiate(c) for c in (cfg.get("callbacks") or {}).values()]
    if not show_progress:  # piped: no bar, the configured rich one included
        callbacks = [c for c in callbacks if not isinstance(c, ProgressBar)]
    session.chance = chance_error((), datamodule.num_classes)  # until the data states its own
    recorder = RunRecorder(session)
    callbacks += [recorder, DivergenceMonitor(), RNGState()]
    if cfg.trainer.get("enable_checkpointing", True):  # off: no checkpoints, so no resume
        callbacks += checkpointers(output_dir)
    if session.stop_at_target:
        callbacks.insert(callbacks.index(recorder) + 1, StopAtTarget(session))
    trainer: pl.Trainer = instantiate(
        OmegaConf.masked_copy(cfg.trainer, [k for k in cfg.trainer if k not in LAYOUT_KEYS]),
        logger=loggers or False,
        callbacks=callbacks,
        default_root_dir=str(output_dir),
        enable_progress_bar=show_progress,
    )
    # the loggers get the record's config from RunRecorder.on_fit_start, once the data is set
    # up: a run whose data cannot load opens no W&B run

    trainer.fit(module, datamodule=datamodule, ckpt_path=checkpoint)
    tests = {}
    for view in views:  # the same final weights, tested once per view
        module.tta = view
        tested = trainer.test(module, datamodule=datamodule, verbose=False)
        tests[view] = tested[0] if tested else {}
    return session.finish(tests, cfg.tta.name)


def progress_bar(cfg: DictConfig) -> bool:
    """``trainer.enable_progress_bar``, where null means: only when stdout is a terminal.

    Off, the run drops any progress-bar callback too (``callbacks=default``'s rich bar).
    """
    setting = cfg.trainer.get("enable_progress_bar")
    return sys.stdout.isatty() if setting is None else bool(setting)


def instantiate_loggers(
    cfg: DictConfig, output_dir: Path, record: RunRecord, context: JobContext
) -> list[Any]:
    """The run's Lightning loggers, one per ``logger`` entry.

    A logger whose ``save_dir`` is null writes into the run's folder; a W&B run is named
    after the run's overrides and grouped with the rest of its sweep.
    """
    group = group_name(record.experiment, str(context.sweep_dir or ""), context.multirun)
    return [
        instantiate(logger_cfg, **logger_options(name, logger_cfg, output_dir, record, group))
        for name, logger_cfg in (cfg.get("logger") or {}).items()
    ]


def wandb_group(cfg: DictConfig, context: JobContext) -> str | None:
    """The W&B group of the run's record: its sweep's, when a ``wandb`` logger is configured."""
    if "wandb" not in (cfg.get("logger") or {}):
        return None
    return group_name(context.experiment, str(context.sweep_dir or ""), context.multirun)
