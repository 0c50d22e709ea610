"""``resume=true``: rerun a command over the same folder without losing or repeating work.

Per job, from the record it left: ``completed`` is skipped (its record kept as it is);
``interrupted`` continues from ``checkpoints/last.ckpt`` (epoch, optimizer, scheduler and RNG
states; the interrupted epoch runs again); ``failed`` and ``diverged`` run again from scratch.
A folder that holds another experiment, or a job whose overrides differ, is refused.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from alexnet_lab.errors import UserError
from alexnet_lab.folders.used_folder import describe, previous_records
from alexnet_lab.overrides import (
    BASIC_SWEEPER,
    basic_sweep_jobs,
    hydra_quote,
    shell_join,
    task_overrides,
)
from alexnet_lab.record.files import (
    RECORD_NAME,
    RecordError,
    RunRecord,
    holds_records,
    read_records,
    record_file,
)
from alexnet_lab.run.checkpoints import STACKED_LAST, last_checkpoint, stacked_checkpoint
from alexnet_lab.run.context import JobContext


@dataclass
class ResumePlan:
    """What a job does under ``resume=true``: ``fresh``, ``skip`` or ``resume``.

    One plan for every engine: ``resume`` names the checkpoint to continue from, Lightning's
    ``last.ckpt`` or a stacked member's ``stacked_last.pt`` (:attr:`stacked`), whichever the
    interrupted run wrote.
    """

    action: str = "fresh"
    previous: RunRecord | None = None
    checkpoint: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def stacked(self) -> bool:
        """Whether the run continues from a stacked member's checkpoint."""
        return self.checkpoint is not None and self.checkpoint.name == STACKED_LAST


def check_same_experiment(folder: Path, experiment: str | None) -> None:
    """Refuse to resume into a folder whose records belong to another experiment.

    Unreadable records say nothing about the experiment: they are left to each job's plan.
    """
    held = {r.experiment for r in read_records(folder)[0]} if folder.is_dir() else set()
    others = held - {experiment}
    if others:
        name = ", ".join(sorted(str(e) for e in others))
        raise UserError(
            f"resume=true: {folder} holds a sweep of experiment={name}, but this command runs "
            f"experiment={experiment}. Resume it with experiment={name} (the same command as "
            "before), or give this experiment its own folder (hydra.sweep.dir=... or "
            "hydra.run.dir=...)."
        )


def nothing_to_resume(folder: Path, key: str) -> str:
    """The warning for ``resume=true`` on a folder that holds no run record at all."""
    return (
        f"resume=true: {folder} holds no runs (no {RECORD_NAME} below it: a new or mistyped "
        "folder?), so there is nothing to continue and everything trains from scratch. To "
        f"continue an earlier command, stop this one and give {key}= the folder it wrote."
    )


def nothing_to_resume_here(folder: Path) -> str:
    """The warning for a single run's ``resume=true`` on a folder without its own record.

    Runs in folders below it are named as what they are (kept, not continued), not as none.
    """
    below = previous_records(folder)
    if not below:
        return nothing_to_resume(folder, "hydra.run.dir")
    example = below[0].parent
    return (
        f"resume=true: {folder} has no run record of its own ({folder / RECORD_NAME}), so this "
        f"single run trains from scratch there; the {describe(below)} in folders below it are "
        "other runs, kept as they are and not continued. To continue one of them, give "
        f"hydra.run.dir= its folder (e.g. hydra.run.dir={example})."
    )


def checkpoint_loads(path: Path) -> str | None:
    """None when the checkpoint loads, else why not (truncated, corrupt, missing)."""
    if not path.exists():
        return f"there is no checkpoint {path}"
    import torch  # here, not at the top: a sweep's checks before it starts need no torch

    try:
        torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:
        return f"the checkpoint {path} does not load ({type(exc).__name__}: {exc})"
    return None


def plan_resume(
    output_dir: Path, sweep_folder: Path, experiment: str | None, overrides: list[str]
) -> ResumePlan:
    """Decide what this job does, from the record and checkpoint in ``output_dir``."""
    check_same_experiment(sweep_folder, experiment)
    path = record_file(output_dir)
    if not path.exists():
        if output_dir == sweep_folder:  # a single run: nothing to continue at all
            warnings.warn(nothing_to_resume_here(output_dir), UserWarning, stacklevel=2)
        return ResumePlan(notes=[f"no record in {output_dir}: runs from scratch"])
    try:
        previous = RunRecord.load(path)
    except RecordError as exc:
        note = f"no usable record ({exc.reason}): {output_dir} runs again from scratch"
        warnings.warn(f"resume=true: {path}: {note}", UserWarning, stacklevel=2)
        return ResumePlan(notes=[note])
    check_same_job(output_dir, previous, overrides)
    status = previous.status
    if status == "completed":
        return ResumePlan("skip", previous)
    if status in ("interrupted", "running"):
        # Lightning's, or a stacked member's; where both are, the one written last
        written = [p for p in (last_checkpoint(output_dir), stacked_checkpoint(output_dir))
                   if p.exists()]  # fmt: skip
        checkpoint = max(written, key=lambda p: p.stat().st_mtime_ns, default=None)
        checkpoint = checkpoint or last_checkpoint(output_dir)
        problem = checkpoint_loads(checkpoint)
        if problem is None:
            return ResumePlan("resume", previous, checkpoint)
        warnings.warn(
            f"resume=true: {problem}; the run restarts from scratch", UserWarning, stacklevel=2
        )
        return ResumePlan(notes=[f"{problem}; restarted from scratch"])
    return ResumePlan(notes=[f"the previous run was {status}: runs again from scratch"])


def job_plan(
    cfg: DictConfig, output_dir: Path | str, context: JobContext, engine: str = "lightning"
) -> ResumePlan:
    """What opening the job's run does (``RunSession.plan``): ``fresh``, or its resume plan.

    Under ``resume=true``, one plan for both engines (:func:`plan_resume`) from the record in
    ``output_dir`` (a sweep's whole folder checked for another experiment). ``engine``:
    ``lightning`` cannot load a stacked member's checkpoint, so that run trains again from
    scratch (warned, noted in its record); ``stacked`` gets the plan as it is. Raises
    :class:`~alexnet_lab.errors.UserError`: a folder of another experiment or job.
    """
    if not cfg.get("resume"):
        return ResumePlan()
    output_dir = Path(output_dir)
    folder = context.sweep_dir if context.multirun and context.sweep_dir else output_dir
    plan = plan_resume(output_dir, folder, context.experiment, list(context.overrides))
    if engine == "lightning" and plan.stacked:
        note = (
            f"{plan.checkpoint} is a stacked member's checkpoint: this launcher trains the "
            "run again from scratch (hydra/launcher=stacked continues it)"
        )
        warnings.warn(f"resume=true: {note}", UserWarning, stacklevel=2)
        return ResumePlan(notes=[note])
    return plan


def check_same_job(output_dir: Path, previous: RunRecord, overrides: list[str]) -> None:
    """Refuse to resume a job into a folder whose record is of another job."""
    before, now = task_overrides(previous.overrides), task_overrides(overrides)
    if before != now:
        raise UserError(
            f"resume=true: {output_dir} holds the job `{' '.join(before) or '(defaults)'}`, "
            f"but this command's job there is `{' '.join(now) or '(defaults)'}`. Resume with "
            "exactly the same command (its sweep lists and overrides), plus resume=true."
        )


def resume_command(argv: list[str], folder: Path, multirun: bool) -> str:
    """The command that resumes this one: the same arguments, resume=true, the same folder.

    Quoted twice, so that it can be pasted: the folder for Hydra's override grammar, every
    argument for the shell.
    """
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    kept = [a for a in argv if not a.startswith(("resume=", "replace=", f"{key}="))]
    return shell_join(["alexnet-lab", *kept, "resume=true", f"{key}={hydra_quote(str(folder))}"])


def check_sweep_before_it_starts(config: DictConfig) -> None:
    """Under ``resume=true``, refuse a sweep that would not resume its folder, before any job.

    Hydra writes each job's ``.hydra/config.yaml`` before the job can refuse; so the whole
    grid is checked here first (another experiment, or a job whose overrides differ from the
    record in its folder), and a refused command leaves the old sweep's files as they were.
    Only the basic sweeper with the default ``hydra.sweep.subdir`` can be expanded here; any
    other is left to each job's own check (:func:`plan_resume`).
    """
    if not config.get("resume"):
        return
    hydra_cfg = config.hydra
    folder = Path(hydra_cfg.sweep.dir)
    check_same_experiment(folder, hydra_cfg.runtime.choices.get("experiment"))
    if not holds_records(folder):
        warnings.warn(nothing_to_resume(folder, "hydra.sweep.dir"), UserWarning, stacklevel=2)
    raw = OmegaConf.to_container(hydra_cfg, resolve=False)
    assert isinstance(raw, dict)
    sweeper = raw.get("sweeper") or {}
    if sweeper.get("_target_") != BASIC_SWEEPER or raw["sweep"]["subdir"] != "${hydra.job.num}":
        return
    jobs = basic_sweep_jobs(list(hydra_cfg.overrides.task), sweeper.get("params") or {})
    if jobs is None:  # e.g. glob() needs Hydra's config loader: leave it to each job
        return
    for num, job in enumerate(jobs):
        output_dir = folder / str(num)
        try:
            previous = RunRecord.load(record_file(output_dir))
        except (RecordError, FileNotFoundError):
            continue  # no usable record: the job runs (again)
        check_same_job(output_dir, previous, list(job))
