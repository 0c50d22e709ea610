"""Lightning DDP children under Hydra: each child re-composes exactly its parent's job.

Lightning's ``ddp`` launcher starts each child with the parent's command line. Under a Hydra
multirun (``-m``, or an experiment that sets ``hydra.mode: MULTIRUN``) that re-runs the whole
sweep in every child, with the wrong output folder. Instead, the parent exports its job
(task overrides and output folder) before ``fit``; a child finds it and runs that one job in
RUN mode in the same folder, writing no Hydra files of its own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alexnet_lab.overrides import hydra_quote

JOB_ENV = "ALEXNET_LAB_DDP_JOB"


@contextmanager
def export_job(
    overrides: list[str], output_dir: str, checkpoint: Path | None = None
) -> Iterator[None]:
    """Make the job known to any DDP child started inside the block.

    With the checkpoint a resumed job continues from, so that every rank restores the same one.
    """
    job = {"overrides": overrides, "output_dir": output_dir, "checkpoint": checkpoint}
    os.environ[JOB_ENV] = json.dumps(job, default=str)
    try:
        yield
    finally:
        os.environ.pop(JOB_ENV, None)


def exported_checkpoint() -> Path | None:
    """In a DDP child: the checkpoint its parent resumes from, if any."""
    checkpoint = json.loads(os.environ.get(JOB_ENV, "{}")).get("checkpoint")
    return Path(checkpoint) if checkpoint else None


def is_secondary_process() -> bool:
    """True in every process but the one that owns sweep-level files.

    That is a child Lightning started, or a process of global rank > 0 started by an outside
    launcher (torchrun sets RANK, SLURM's srun SLURM_PROCID), where every process runs the
    whole command.
    """
    rank = os.environ.get("RANK") or os.environ.get("SLURM_PROCID") or "0"
    return is_ddp_child() or int(rank) > 0


def launched_externally() -> bool:
    """True when torchrun or SLURM's srun started several processes of the whole command."""
    tasks = int(os.environ.get("SLURM_NTASKS", "1") or 1)
    return "TORCHELASTIC_RUN_ID" in os.environ or tasks > 1


def is_ddp_child() -> bool:
    """True in a process that Lightning's launcher started for local rank > 0."""
    return JOB_ENV in os.environ and int(os.environ.get("LOCAL_RANK", "0")) > 0


def child_argv(argv0: str) -> list[str]:
    """The command line a DDP child must run: its parent's job, once, in its parent's folder."""
    job = json.loads(os.environ[JOB_ENV])
    rank = os.environ.get("LOCAL_RANK", "0")
    return [
        argv0,
        *job["overrides"],
        "hydra.mode=RUN",
        f"hydra.run.dir={hydra_quote(job['output_dir'])}",
        "hydra.output_subdir=null",
        f"hydra.job.name=ddp_rank_{rank}",
    ]


@contextmanager
def restored_environment() -> Iterator[None]:
    """Undo what a job's DDP launch leaves in ``os.environ``.

    Lightning's launcher sets LOCAL_RANK, WORLD_SIZE, MASTER_PORT, ... in the launching
    process. Left there, the next job of a sweep would take its processes for externally
    launched ones and wait forever for ranks that never start.
    """
    before = dict(os.environ)
    try:
        yield
    finally:
        for key in set(os.environ) - set(before):
            del os.environ[key]
        os.environ.update(before)


def teardown_process_group() -> None:
    """Destroy the job's torch.distributed process group, if any.

    Lightning keeps the group alive after ``fit``/``test``; the next job of a sweep would
    otherwise reuse it although its peers (the previous job's children) have exited.
    """
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
