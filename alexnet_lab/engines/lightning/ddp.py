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
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alexnet_lab.overrides import hydra_quote
from alexnet_lab.run.roles import JOB_ENV


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


#: the children of this process's disarmed observers, until :func:`end_job` ends them
_WATCHED: list[subprocess.Popen[Any]] = []


def disarm_observers() -> None:
    """Stop Lightning's child-process observers of this process from killing it.

    Lightning's ``_ChildProcessObserver`` (a daemon thread of the launching process) SIGKILLs
    the launching process as soon as it sees a child that exited non-zero, even after the job
    it belongs to has ended: in a sweep that killed the next job, with no record and no report.
    Called as soon as a job fails (the job records the failure itself) and at its end.
    """
    for observer in _observers():
        _WATCHED.extend(observer._child_processes)
        observer._child_processes = []  # its next check finds nothing to watch, and stops
        observer._finished = True


def end_job(failed: bool, grace_s: float = 5.0, finish_s: float = 60.0) -> list[str]:
    """Stop Lightning's watch over this job's DDP children, end them; say which ranks died.

    The children are ended: a completed job's get ``finish_s`` to exit by themselves, a failed
    job's are sent SIGTERM at once; SIGKILL ``grace_s`` later. Returns one sentence per child
    that had died on its own (``DDP rank 1 (pid N) died with SIGKILL``), for the job's error.
    """
    disarm_observers()
    procs, _WATCHED[:] = list(_WATCHED), []
    deaths = [
        f"DDP rank {rank} (pid {proc.pid}) died with {_how(proc)}"
        for rank, proc in enumerate(procs, start=1)
        if proc.poll() not in (None, 0)
    ]
    _end_processes(procs, grace_s if failed else finish_s, grace_s)
    return deaths


def _observers() -> list[Any]:
    """Lightning's child-process observers started by this process (never a child's)."""
    return [
        t
        for t in threading.enumerate()
        if type(t).__name__ == "_ChildProcessObserver"
        and getattr(t, "_main_pid", None) == os.getpid()
        and hasattr(t, "_child_processes")
    ]


def _how(proc: subprocess.Popen[Any]) -> str:
    """``SIGKILL`` for a child a signal ended, else ``exit code N``."""
    code = proc.returncode
    if code is not None and code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _end_processes(procs: list[subprocess.Popen[Any]], wait_s: float, grace_s: float) -> None:
    """Wait up to ``wait_s`` for ``procs`` to exit; then SIGTERM, and SIGKILL ``grace_s`` later."""
    for action, timeout in ((None, wait_s), ("terminate", grace_s), ("kill", None)):
        alive = [p for p in procs if p.poll() is None]
        if not alive:
            return
        for proc in alive:
            if action:
                getattr(proc, action)()
        deadline = time.monotonic() + (timeout if timeout is not None else grace_s)
        for proc in alive:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
