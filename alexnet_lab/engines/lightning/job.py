"""The Hydra job around :func:`~alexnet_lab.engines.lightning.train.train`: resume, outcome, W&B.

It reads Hydra's state once (:func:`job_context`), makes the job's pre-run checks unless a
single run made them before Lightning loaded (:mod:`alexnet_lab.run.preflight`: once per job),
decides whether the run is skipped,
resumed or fresh (:mod:`alexnet_lab.run.resume`), trains, and whatever happens records the outcome
(:mod:`alexnet_lab.run.outcome`), finishes the job's W&B run and writes the run record.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from omegaconf import DictConfig
from pytorch_lightning.utilities import rank_zero_only
from rich.markup import escape

from alexnet_lab.console import console, print_run_outcome
from alexnet_lab.engines.lightning import ddp
from alexnet_lab.engines.lightning.train import train, wandb_group
from alexnet_lab.errors import CommandEnd, UserError
from alexnet_lab.record.files import RunRecord
from alexnet_lab.run import outcome, roles
from alexnet_lab.run.context import JobContext, job_context
from alexnet_lab.run.early_checks import refuse_wandb
from alexnet_lab.run.end import RunEnd
from alexnet_lab.run.preflight import check_job
from alexnet_lab.run.resume import ResumePlan
from alexnet_lab.run.session import INTERRUPTS, RunSession
from alexnet_lab.run.validation import ConfigValueError
from alexnet_lab.tracking.loggers import finish_wandb
from alexnet_lab.tracking.wandb_settings import WandbSettingsError


def guarded_job(cfg: DictConfig, checked: bool = False) -> RunEnd:
    """Run :func:`train` in the current Hydra job and record its outcome, whatever it is.

    Returns how it ended (:class:`~alexnet_lab.run.end.RunEnd`); the sweep's callback turns
    an ending that ends the command into its exit status. ``checked``: the job's pre-run
    checks were made (a single run's, before Lightning loaded); else they are made here, once.
    """
    context, output_dir = job_context()
    context = dataclasses.replace(context, checked=checked)
    if context.multirun and roles.launched_externally():
        raise CommandEnd(
            2,
            "one run per launch",
            "torchrun or srun started this command in several processes, and it is a sweep "
            "(-m or an experiment). Launch one run per torchrun/srun call (add hydra.mode=RUN "
            "and the arm's overrides, as sweeps/*.yaml do), or let hydra/launcher=slurm submit "
            "one SLURM job per run; within one run, trainer=ddp uses every process.",
        )
    unrunnable: UserError | None = None  # settled below as a run that failed before training
    try:
        context = check_job(cfg, context)  # before anything loads or a W&B run starts
    except ConfigValueError as exc:
        return outcome.refuse_job(exc, output_dir, context)
    except WandbSettingsError as exc:  # the same for every job: the sweep stops at its first
        refuse_wandb(exc, output_dir)
    except UserError as exc:  # a switch the model lacks, a test view its data cannot give
        unrunnable = exc
    plan = _plan(cfg, output_dir, context)
    if plan.action == "skip":
        assert plan.previous is not None
        console.print(escape(f"skipped (completed, resume=true): {output_dir}"), soft_wrap=True)
        return RunEnd("completed", plan.previous, multirun=context.multirun)
    session = RunSession.open(
        cfg, output_dir, context, plan=plan, wandb_group=wandb_group(cfg, context)
    )
    record = session.record
    failure: BaseException | None = None
    try:
        if unrunnable is not None:
            raise unrunnable
        with (
            ddp.restored_environment(),
            ddp.export_job(list(context.overrides), str(output_dir), plan.checkpoint),
        ):
            train(cfg, output_dir, context, checkpoint=plan.checkpoint, session=session)
    except (Exception, *INTERRUPTS) as exc:  # recorded here, settled below
        session.fail(exc)
        failure = exc
    finally:
        deaths = ddp.end_job(failed=failure is not None)  # first: Lightning's watcher kills
        if deaths:
            session.failed_after("; ".join(deaths))
        ddp.teardown_process_group()
        unsaved = session.close(cfg.tta.name, _finish_wandb)
        if context.multirun or record.history or not isinstance(failure, UserError):
            _summarise(record, bool(cfg.get("verbose")))  # a run that never started: the paragraph
    return outcome.settle(failure, record, context, output_dir, unsaved)


def _finish_wandb(completed: bool) -> tuple[dict[str, str], str | None]:
    """Finish the job's W&B run: where it is, and why finishing it failed (never raised).

    Raised from the job's ``finally``, it would hide the run's own error and skip its record.
    """
    try:
        return finish_wandb(exit_code=0 if completed else 1) or {}, None
    except Exception as exc:
        return {}, f"finishing the W&B run failed: {type(exc).__name__}: {exc}"


def _plan(cfg: DictConfig, output_dir: Path, context: JobContext) -> ResumePlan:
    """The job's resume plan (:meth:`RunSession.plan`); a bad folder ends it (exit 2)."""
    if roles.is_ddp_child():  # a child follows its parent's plan
        checkpoint = ddp.exported_checkpoint()
        return ResumePlan("resume" if checkpoint else "fresh", RunRecord(), checkpoint)
    try:
        return RunSession.plan(cfg, output_dir, context)
    except UserError as exc:
        raise CommandEnd(2, "cannot resume", str(exc)) from None


@rank_zero_only
def _summarise(record: RunRecord, verbose: bool) -> None:
    print_run_outcome(record, verbose)
