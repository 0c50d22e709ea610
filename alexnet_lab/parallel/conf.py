"""``hydra.launcher`` options of ``hydra/launcher=parallel`` (registered by its plugin).

The dataclass lives here, in an ordinary module, rather than in the plugin's: Hydra executes
plugin modules outside ``sys.modules``, and a job's config, whose ``hydra.launcher`` node is
typed by this class, travels between the launcher and its workers by pickle, which finds a
class by its module's name.
"""

# no `from __future__ import annotations`: OmegaConf reads the annotations at run time
from dataclasses import dataclass
from typing import Optional


@dataclass
class ParallelLauncherConf:
    """``hydra.launcher`` options of the parallel launcher."""

    _target_: str = "hydra_plugins.alexnet_lab_parallel_launcher.parallel_launcher.ParallelLauncher"
    # Worker processes; null: one per visible GPU, or cpu_workers on a machine without one.
    workers: Optional[int] = None  # noqa: UP045 (OmegaConf reads typing.Optional)
    # Workers on a machine without a GPU, each with its share of the cores. 2: the count measured
    # fastest on a 2-core CPU (the README's main job 1.24x the basic launcher, bench/sweep.py).
    cpu_workers: int = 2
    # cuda: stackable groups train as stacks on GPU workers | always: on CPU workers too |
    # never: every job alone
    stack: str = "cuda"
    # a stack's members, as in hydra/launcher=stacked
    max_members: Optional[int] = None  # noqa: UP045
    cpu_members: int = 8
