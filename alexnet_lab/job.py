"""One job of the app: build everything from the config, fit, test; own the job's failures.

``guarded_job`` is the single place that decides what a failure means. In a multirun a
diverged or crashed job is recorded and the sweep goes on (Hydra would otherwise stop at the
first exception); a user error (bad option, missing data) stops everything with one paragraph.
Whatever happens, the job's W&B run is finished and its record written.
"""

from __future__ import annotations

import signal
import sys
import traceback
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.callbacks import ModelCheckpoint
from pytorch_lightning.utilities import rank_zero_only

from alexnet_lab import ddp, signals
from alexnet_lab.console import console, print_error, print_run_summary
from alexnet_lab.errors import DivergedError, UserError
from alexnet_lab.loggers import finish_wandb
from alexnet_lab.models import build_model, check_switches
from alexnet_lab.module import ClassifierModule
from alexnet_lab.overrides import parse_overrides
from alexnet_lab.results.record import RECORD_NAME, write_record
from alexnet_lab.resume import (
    CHECKPOINT_DIR,
    ResumePlan,
    plan_resume,
    resume_command,
    task_overrides,
)
from alexnet_lab.run_callbacks import DivergenceMonitor, RNGState, RunRecorder
from alexnet_lab.wandb_sweep import group_name

#: "overrides -> reason" of the jobs of this process that failed (the CLI exits non-zero).
FAILED_JOBS: list[str] = []


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_record(cfg: DictConfig, output_dir: Path) -> dict[str, Any]:
    """The run record before training: what ran, with which settings."""
    hc = HydraConfig.get()
    choices = {k: v for k, v in hc.runtime.choices.items() if not k.startswith("hydra")}
    return {
        "format": 1,
        "choices": choices,
        "overrides": task_overrides(list(hc.overrides.task)),
        "seed": int(cfg.seed),
        "claim": cfg.claim,
        "experiment": choices.get("experiment"),
        "target_error": cfg.target_error,
        "not_learning_patience": int(cfg.not_learning_patience),
        "report": OmegaConf.to_container(cfg.report, resolve=True),
        "settings": {
            "model": cfg.model.name,
            "activation": cfg.activation.name,
            "norm": cfg.norm.name,
            "pooling": cfg.pooling.name,
            "dropout": cfg.dropout.name,
            "towers": cfg.towers.name,
            "augmentation": cfg.augmentation.name,
            "tta": cfg.tta.name,
            "init": cfg.init.name,
            "data": cfg.data.name,
            "scale": cfg.data.scale,
            "lr": float(cfg.optim.lr),
            "weight_decay": float(cfg.optim.weight_decay),
            "schedule": cfg.optim.schedule,
            "batch_size": int(cfg.data.batch_size),
            "max_epochs": int(cfg.trainer.max_epochs),
        },
        "status": "running",
        "history": [],
        "final": {},
        "epochs_to_target": None,
        "not_learning": False,
        "output_dir": str(output_dir),
        "record_path": str(output_dir / RECORD_NAME),
        "started_at": _now(),
    }


def train(
    cfg: DictConfig, record: dict[str, Any], output_dir: Path, checkpoint: Path | None = None
) -> None:
    """Seed, build data, model, loggers and trainer from the config; fit; test the final weights."""
    hc = HydraConfig.get()
    check_switches(cfg.model.name, parse_overrides(list(hc.overrides.task)))
    pl.seed_everything(int(cfg.seed), workers=True)
    # validates options, loads nothing yet
    views_to_test(cfg)  # a test view that cannot work stops the run before training
    augmentation = {k: v for k, v in cfg.augmentation.items() if k != "name"}
    datamodule = instantiate(cfg.data, **augmentation)
    channels, height, _ = datamodule.input_shape
    model = build_model(cfg, channels, datamodule.num_classes, height)
    module = ClassifierModule(
        model, datamodule.num_classes, cfg.optim, eval_crop=cfg.augmentation.crop, tta=cfg.tta.name
    )

    multirun = hc.mode == RunMode.MULTIRUN
    group = group_name(record["experiment"], str(hc.sweep.dir), multirun)
    loggers = []
    for name, logger_cfg in (cfg.get("logger") or {}).items():
        extra = (
            {"group": group, "tags": _tags(record), "name": _run_name(record)}
            if name == "wandb"
            else {}
        )
        loggers.append(instantiate(logger_cfg, **extra))
    callbacks = [instantiate(c) for c in (cfg.get("callbacks") or {}).values()]
    recorder = RunRecorder(
        output_dir / RECORD_NAME, record, datamodule.num_classes, int(cfg.not_learning_patience)
    )
    callbacks += [recorder, DivergenceMonitor(), RNGState(), *checkpointers(output_dir)]
    trainer: pl.Trainer = instantiate(
        cfg.trainer, logger=loggers or False, callbacks=callbacks, default_root_dir=str(output_dir)
    )
    resolved = OmegaConf.to_container(cfg, resolve=True)
    for logger in loggers:
        logger.log_hyperparams(resolved)  # type: ignore[arg-type]
    record["config"] = resolved

    with ddp.export_job(list(hc.overrides.task), str(output_dir), checkpoint):
        trainer.fit(module, datamodule=datamodule, ckpt_path=checkpoint)
        tests = {}
        for view in views_to_test(cfg):  # the same final weights, tested once per view
            module.tta = view
            tested = trainer.test(module, datamodule=datamodule, verbose=False)
            tests[view] = tested[0] if tested else {}
    record["final"] = final_summary(record["history"], tests, cfg.tta.name)


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


def checkpointers(output_dir: Path) -> list[ModelCheckpoint]:
    """``checkpoints/last.ckpt`` after every epoch, and the best by validation error.

    Two callbacks: Lightning's ``save_last`` writes ``last.ckpt`` only in epochs where the
    monitored checkpoint improved, which is not what a resume needs.
    """
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


def final_summary(
    history: list[dict[str, Any]],
    tests: Mapping[str, Mapping[str, float]],
    tta: str = "center",
) -> dict[str, Any]:
    """Last and best epoch values and the test errors of the final weights.

    ``tests`` maps each test view (``center``, ``ten_crop``) to Lightning's test results;
    ``final.test`` is the configured view's (``tta``), ``final.tests`` holds every view.
    Validation always uses the centre view (``final.val_tta``).
    """
    final: dict[str, Any] = {}
    if history:
        final["last"] = dict(history[-1])
        with_val = [row for row in history if "val_error" in row]
        if with_val:
            best = min(with_val, key=lambda row: row["val_error"])
            final["best"] = {
                k: best[k] for k in ("epoch", "val_error", "val_top5_error") if k in best
            }
        final["best_train_error"] = min(
            row["train_error"] for row in history if "train_error" in row
        )
    final["val_tta"] = "center"
    views = {
        view: {
            "top1_error": float(tested["test_error"]),
            "top5_error": float(tested["test_top5_error"]),
            "tta": view,
        }
        for view, tested in tests.items()
        if tested
    }
    if tta in views:
        final["test"] = views[tta]
    if len(views) > 1:
        final["tests"] = views
    return final


def guarded_job(cfg: DictConfig) -> dict[str, Any]:
    """Run :func:`train` and record its outcome, whatever it is (see module docstring)."""
    hc = HydraConfig.get()
    output_dir = Path(hc.runtime.output_dir)
    multirun = hc.mode == RunMode.MULTIRUN
    if multirun and ddp.launched_externally():
        print_error(
            "one run per launch",
            "torchrun or srun started this command in several processes, and it is a sweep "
            "(-m or an experiment). Launch one run per torchrun/srun call (add hydra.mode=RUN "
            "and the arm's overrides, as sweeps/*.yaml do), or let hydra/launcher=slurm submit "
            "one SLURM job per run; within one run, trainer=ddp uses every process.",
        )
        sys.exit(2)
    plan = _plan(cfg, output_dir, multirun)
    if plan.action == "skip":
        assert plan.previous is not None
        console.print(f"skipped (completed, resume=true): {output_dir}", soft_wrap=True)
        return plan.previous
    record = new_record(cfg, output_dir)
    if plan.action == "resume":
        assert plan.previous is not None and plan.checkpoint is not None
        record["history"] = list(plan.previous.get("history", []))
        record["resumed_from"] = str(plan.checkpoint)
        record["started_at"] = plan.previous.get("started_at", record["started_at"])
    if plan.notes:
        record["resume_notes"] = plan.notes
    outcome: BaseException | None = None
    try:
        with ddp.restored_environment():
            train(cfg, record, output_dir, plan.checkpoint)
        record["status"] = "completed"
    except UserError as exc:
        record.update(status="failed", error=str(exc))
        outcome = exc
    except DivergedError as exc:
        record.update(status="diverged", error=str(exc))
        outcome = exc
    except (KeyboardInterrupt, signals.Terminated, SystemExit) as exc:
        # SystemExit: Lightning's answer to a KeyboardInterrupt inside fit (sys.exit(1))
        outcome = exc
    except Exception as exc:  # a crash: record it, let the sweep go on
        record.update(
            status="failed", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc()
        )
        outcome = exc
    finally:
        if record["status"] == "running":  # a signal, or Lightning's sys.exit after Ctrl-C
            how = "SIGTERM" if signal.SIGTERM in signals.RECEIVED else "Ctrl-C"
            if not signals.RECEIVED:
                how = "the process being stopped"
            record.update(status="interrupted", error=f"interrupted by {how} during the run")
        if not record["final"]:
            record["final"] = final_summary(record["history"], {}, cfg.tta.name)
        ddp.teardown_process_group()
        record["wandb"] = finish_wandb(exit_code=0 if record["status"] == "completed" else 1)
        record["finished_at"] = _now()
        _save_and_summarise(output_dir, record)

    if record["status"] == "interrupted":
        _stop_interrupted(hc, output_dir, multirun)
    if isinstance(outcome, UserError):
        print_error("cannot run", str(outcome))
        sys.exit(2)
    if isinstance(outcome, DivergedError):
        print_error("diverged", str(outcome))
        if not multirun:
            sys.exit(3)
    elif outcome is not None:
        if not multirun:
            raise outcome
        traceback.print_exception(outcome)
        FAILED_JOBS.append(f"{' '.join(record['overrides'])} -> {record['error']}")
    return record


def _plan(cfg: DictConfig, output_dir: Path, multirun: bool) -> ResumePlan:
    """The job's resume plan (a fresh run unless ``resume=true``); a bad folder exits 2."""
    if ddp.is_ddp_child():  # a child follows its parent's plan
        checkpoint = ddp.exported_checkpoint()
        return ResumePlan("resume" if checkpoint else "fresh", {}, checkpoint)
    if not cfg.get("resume"):
        return ResumePlan()
    hc = HydraConfig.get()
    folder = Path(hc.sweep.dir) if multirun else output_dir
    try:
        return plan_resume(output_dir, folder, _experiment(), list(hc.overrides.task))
    except UserError as exc:
        print_error("cannot resume", str(exc))
        sys.exit(2)


def _experiment() -> str | None:
    return HydraConfig.get().runtime.choices.get("experiment")


def _stop_interrupted(hc: Any, output_dir: Path, multirun: bool) -> None:
    """After an interrupted run: the report of what finished, the resume command, exit 130/143."""
    if ddp.is_secondary_process():
        sys.exit(signals.exit_code() or 1)
    folder = Path(hc.sweep.dir) if multirun else output_dir
    if multirun:
        from alexnet_lab.callbacks import write_sweep_report

        write_sweep_report(folder)
    command = resume_command(sys.argv[1:], folder.resolve(), multirun)
    print_error(
        "interrupted",
        f"the run in {output_dir} stopped; its record says `interrupted` and its last finished "
        f"epoch is in {output_dir / 'checkpoints' / 'last.ckpt'}. Resume with: {command}",
    )
    sys.exit(signals.exit_code() or 130)


@rank_zero_only
def _save_and_summarise(output_dir: Path, record: dict[str, Any]) -> None:
    write_record(output_dir / RECORD_NAME, record)
    print_run_summary(record)


def _tags(record: dict[str, Any]) -> list[str]:
    tags = [record["claim"]] if record.get("claim") else []
    return tags + [o for o in record["overrides"] if not o.startswith(("data.root", "hydra"))][:20]


def _run_name(record: dict[str, Any]) -> str:
    return (" ".join(record["overrides"]) or "defaults")[:128]
