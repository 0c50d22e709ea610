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

import torch

from alexnet_lab.checkpoints import last_checkpoint
from alexnet_lab.errors import UserError
from alexnet_lab.overrides import hydra_quote, shell_join, task_overrides
from alexnet_lab.results.record import RECORD_NAME, RecordError, RunRecord, read_records


@dataclass
class ResumePlan:
    """What a job does under ``resume=true``: ``fresh``, ``skip`` or ``resume``."""

    action: str = "fresh"
    previous: RunRecord | None = None
    checkpoint: Path | None = None
    notes: list[str] = field(default_factory=list)


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


def checkpoint_loads(path: Path) -> str | None:
    """None when the checkpoint loads, else why not (truncated, corrupt, missing)."""
    if not path.exists():
        return f"there is no checkpoint {path}"
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
    path = output_dir / RECORD_NAME
    if not path.exists():
        return ResumePlan(notes=[f"no record in {output_dir}: runs from scratch"])
    try:
        previous = RunRecord.load(path)
    except RecordError as exc:
        note = f"no usable record ({exc.reason}): {output_dir} runs again from scratch"
        warnings.warn(f"resume=true: {path}: {note}", UserWarning, stacklevel=2)
        return ResumePlan(notes=[note])
    before, now = task_overrides(previous.overrides), task_overrides(overrides)
    if before != now:
        raise UserError(
            f"resume=true: {output_dir} holds the job `{' '.join(before) or '(defaults)'}`, "
            f"but this command's job there is `{' '.join(now) or '(defaults)'}`. Resume with "
            "exactly the same command (its sweep lists and overrides), plus resume=true."
        )
    status = previous.status
    if status == "completed":
        return ResumePlan("skip", previous)
    if status in ("interrupted", "running"):
        checkpoint = last_checkpoint(output_dir)
        problem = checkpoint_loads(checkpoint)
        if problem is None:
            return ResumePlan("resume", previous, checkpoint)
        warnings.warn(
            f"resume=true: {problem}; the run restarts from scratch", UserWarning, stacklevel=2
        )
        return ResumePlan(notes=[f"{problem}; restarted from scratch"])
    return ResumePlan(notes=[f"the previous run was {status}: runs again from scratch"])


def resume_command(argv: list[str], folder: Path, multirun: bool) -> str:
    """The command that resumes this one: the same arguments, resume=true, the same folder.

    Quoted twice, so that it can be pasted: the folder for Hydra's override grammar, every
    argument for the shell.
    """
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    kept = [a for a in argv if not a.startswith(("resume=", f"{key}="))]
    return shell_join(["alexnet-lab", *kept, "resume=true", f"{key}={hydra_quote(str(folder))}"])
