"""Which part of a command this process plays: the launching one, a DDP child, a worker.

Read from the environment only (no torch, no Lightning), so that a sweep's callbacks, the
parallel launcher and the record's checks ask without loading an engine. The Lightning
engine's DDP plumbing (:mod:`alexnet_lab.engines.lightning.ddp`) sets :data:`JOB_ENV`; the
parallel launcher sets :data:`PARALLEL_WORKER_ENV` and :data:`GPU_SHARING_ENV`.
"""

from __future__ import annotations

import os

#: set by a DDP parent around ``fit``: its job (overrides, output folder, checkpoint) as JSON
JOB_ENV = "ALEXNET_LAB_DDP_JOB"
#: set in a parallel launcher's worker (alexnet_lab.parallel.devices.WORKER_ENV)
PARALLEL_WORKER_ENV = "ALEXNET_LAB_PARALLEL_WORKER"
#: set in every GPU worker of hydra/launcher=parallel: how many workers share its GPU, so that a
#: stack sized from the GPU's free memory takes only its share
GPU_SHARING_ENV = "ALEXNET_LAB_GPU_SHARING"


def is_secondary_process() -> bool:
    """True in every process but the one that owns sweep-level files.

    That is a child Lightning started, a process of global rank > 0 started by an outside
    launcher (torchrun sets RANK, SLURM's srun SLURM_PROCID), where every process runs the
    whole command, or a worker of the parallel launcher (whose launcher owns them).
    """
    rank = os.environ.get("RANK") or os.environ.get("SLURM_PROCID") or "0"
    return is_ddp_child() or int(rank) > 0 or PARALLEL_WORKER_ENV in os.environ


def owns_job_folder() -> bool:
    """Whether this process may remove what its job wrote: not a DDP child or rank > 0.

    A parallel launcher's worker does own its job's folder (not the sweep's).
    """
    rank = os.environ.get("RANK") or os.environ.get("SLURM_PROCID") or "0"
    return not is_ddp_child() and int(rank) == 0


def launched_externally() -> bool:
    """True when torchrun or SLURM's srun started several processes of the whole command."""
    tasks = int(os.environ.get("SLURM_NTASKS", "1") or 1)
    return "TORCHELASTIC_RUN_ID" in os.environ or tasks > 1


def is_ddp_child() -> bool:
    """True in a process that Lightning's launcher started for local rank > 0."""
    return JOB_ENV in os.environ and int(os.environ.get("LOCAL_RANK", "0")) > 0
