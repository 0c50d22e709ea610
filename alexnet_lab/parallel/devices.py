"""Which device each worker owns, and the environment that pins it there before torch starts.

A worker is one of ``workers`` slots. With GPUs each slot owns one of the visible GPUs
(round robin when there are more slots than GPUs) through ``CUDA_VISIBLE_DEVICES``, so a
worker sees only its own as ``cuda:0``; without, each slot owns a contiguous share of the
cores this process may run on: ``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` set to the share's
size, and the worker pins itself to those cores (:func:`pin_this_process`). Everything here
but :func:`pin_this_process` and :func:`visible_gpus` is pure, for the unit tests.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alexnet_lab.run.roles import GPU_SHARING_ENV, PARALLEL_WORKER_ENV

#: set in every worker's environment: the process is a parallel worker, not the launcher
WORKER_ENV = PARALLEL_WORKER_ENV
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Slot:
    """One worker's device: a GPU id as the parent sees it, or None and a set of cores."""

    index: int
    gpu: str | None
    cores: tuple[int, ...]
    #: the workers that share this slot's GPU (itself included)
    sharing: int = 1

    @property
    def label(self) -> str:
        """``w0 gpu3`` or ``w1 cpu 4-7`` (worker and device), for the progress lines."""
        if self.gpu is not None:
            return f"w{self.index} gpu{self.gpu}"
        span = f"{self.cores[0]}-{self.cores[-1]}" if len(self.cores) > 1 else str(self.cores[0])
        return f"w{self.index} cpu {span}"


#: the device files of a GPU driver (NVIDIA's, ROCm's, WSL's): without any, there is no GPU
GPU_DEVICE_FILES = ("/dev/nvidia[0-9]*", "/dev/kfd", "/dev/dxg")


def gpu_driver_present() -> bool:
    """Whether a GPU driver's device file exists (Linux); True elsewhere, where torch decides."""
    if not sys.platform.startswith("linux"):
        return True
    return any(glob.glob(pattern) for pattern in GPU_DEVICE_FILES)


def visible_gpus(environ: Mapping[str, str] | None = None, driver: bool | None = None) -> list[str]:
    """The GPU ids this process may use, as ``CUDA_VISIBLE_DEVICES`` names them.

    ``CUDA_VISIBLE_DEVICES`` set: its entries (ids or UUIDs), as many as torch counts; unset:
    ``0..n-1`` for torch's count. torch's count reads NVML and creates no CUDA context.
    Without a GPU driver (``driver``; None: :func:`gpu_driver_present`) the answer is none,
    without importing torch: the launcher's process then starts its workers seconds sooner.
    """
    if not (gpu_driver_present() if driver is None else driver):
        return []
    import torch

    environ = os.environ if environ is None else environ
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    listed = environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        ids = [i.strip() for i in listed.split(",") if i.strip()]
        return ids[:count]
    return [str(i) for i in range(count)]


def default_workers(gpus: Sequence[str], cpu_workers: int) -> int:
    """One worker per visible GPU; ``cpu_workers`` on a machine without one."""
    return len(gpus) if gpus else max(1, int(cpu_workers))


def assign(workers: int, gpus: Sequence[str], cores: Sequence[int]) -> list[Slot]:
    """The slots of ``workers`` workers over these GPUs (or, with none, these cores).

    Every slot also gets an equal share of the cores (at least one), which on a GPU machine
    bounds its CPU threads; cores are shared round robin when there are more workers than
    cores.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    ordered = sorted(cores) or [0]
    share = max(1, len(ordered) // workers)
    slots = []
    for index in range(workers):
        if len(ordered) >= workers:
            mine = tuple(ordered[index * share : (index + 1) * share])
        else:
            mine = (ordered[index % len(ordered)],)
        gpu = gpus[index % len(gpus)] if gpus else None
        sharing = len(range(index % len(gpus), workers, len(gpus))) if gpus else 1
        slots.append(Slot(index, gpu, mine, sharing))
    return slots


def worker_env(slot: Slot, base: Mapping[str, str]) -> dict[str, str]:
    """The environment a worker starts with: ``base`` pinned to the slot's device and cores."""
    env = dict(base)
    env[WORKER_ENV] = str(slot.index)
    env["CUDA_VISIBLE_DEVICES"] = slot.gpu if slot.gpu is not None else ""
    env[GPU_SHARING_ENV] = str(slot.sharing)
    for name in THREAD_VARS:
        env[name] = str(len(slot.cores))
    return env


def pin_this_process(slot: Slot) -> None:
    """In the worker: torch's threads to the slot's share, and the process to its cores."""
    import torch

    torch.set_num_threads(len(slot.cores))
    if slot.gpu is None and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, set(slot.cores))
        except OSError:  # a container's cgroup may refuse: the thread count still holds
            pass
