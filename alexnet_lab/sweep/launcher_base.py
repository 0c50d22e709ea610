"""What the toolkit's Hydra launchers (stacked, parallel) share: the state setup hands over."""

from __future__ import annotations

from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig


class KeptSetup:
    """Keeps the config, Hydra's context and the task function that ``setup`` hands over.

    Not a Hydra ``Launcher`` itself, so that Hydra's plugin scan does not register the classes
    built on it outside ``hydra_plugins`` (the stacked launcher's work, which a parallel
    worker also runs).
    """

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


class KeptSetupLauncher(KeptSetup, Launcher):
    """A Hydra launcher that keeps what ``setup`` hands over for ``launch``."""
