"""``hydra/launcher=stacked``: a sweep's compatible jobs trained side by side as one stack.

Hydra finds launchers only in the ``hydra_plugins`` package, so this module holds what Hydra
needs: the options (:class:`StackedLauncherConf`, registered as ``hydra/launcher=stacked``)
and the plugin class. The work is :class:`alexnet_lab.sweep.stacked_sweep.StackedSweep`.
"""

# no `from __future__ import annotations`: Hydra executes plugin modules outside sys.modules,
# where dataclasses cannot resolve string annotations
from dataclasses import dataclass
from typing import Optional

from hydra.core.config_store import ConfigStore
from hydra.plugins.launcher import Launcher

from alexnet_lab.sweep.stacked_sweep import StackedSweep


@dataclass
class StackedLauncherConf:
    """``hydra.launcher`` options of the stacked launcher."""

    _target_: str = "hydra_plugins.alexnet_lab_stacked_launcher.stacked_launcher.StackedLauncher"
    # Members per stack; null: from free memory on CUDA, ``cpu_members`` on the CPU.
    max_members: Optional[int] = None  # noqa: UP045 (OmegaConf reads typing.Optional)
    cpu_members: int = 8
    # always: stack wherever the jobs train | cuda: only on a GPU; a sweep on a machine with
    # no GPU goes to Hydra's basic launcher and groups that train on the CPU run one by one
    stack: str = "always"


ConfigStore.instance().store(
    group="hydra/launcher", name="stacked", node=StackedLauncherConf, provider="alexnet_lab"
)


class StackedLauncher(StackedSweep, Launcher):
    """``hydra/launcher=stacked`` (and ``auto``): :class:`StackedSweep` as a Hydra launcher."""
