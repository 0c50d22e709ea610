"""The machine a run trained on, as the run record states it (``RunRecord.machine``).

Computed once per process: the CPU model, its cores and torch's threads, the CUDA devices
and the versions of torch and Lightning. No host name: the record says what kind of machine
ran, not which one.
"""

from __future__ import annotations

import functools
import os
import platform
from pathlib import Path
from typing import Any

CPUINFO = Path("/proc/cpuinfo")


def cpu_model(cpuinfo: Path = CPUINFO) -> str:
    """The CPU's model name (``/proc/cpuinfo``'s "model name"; else the platform's word)."""
    try:
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


@functools.lru_cache(maxsize=1)
def machine_info() -> dict[str, Any]:
    """What ran the process: platform, CPU, cores, torch threads, GPUs, library versions."""
    import pytorch_lightning
    import torch

    gpus: list[str] = []
    if torch.cuda.is_available():
        gpus = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return {
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpus": gpus,
        "gpu_count": len(gpus),
        # plain strings: torch's TorchVersion would make every pickled record (a worker's
        # job return) import torch where it is read, in the parallel launcher's process too
        "torch": str(torch.__version__),
        "lightning": str(pytorch_lightning.__version__),
    }
