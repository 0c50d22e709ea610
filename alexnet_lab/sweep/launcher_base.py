"""What the toolkit's Hydra launchers (stacked, parallel) share: the state setup hands over."""

from __future__ import annotations

from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig


class KeptSetupLauncher(Launcher):
    """A launcher that keeps the config, Hydra's context and the task function for ``launch``."""

    def __init__(self) -> None:
        super().__init__()
        self.config: DictConfig | None = None
        self.task_function: TaskFunction | None = None
        self.hydra_context: HydraContext | None = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        """Keep what ``launch`` needs (as Hydra's basic launcher does)."""
        self.config, self.hydra_context, self.task_function = config, hydra_context, task_function
