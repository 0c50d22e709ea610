"""What the toolkit's Hydra launchers (stacked, parallel) share: the state setup hands over."""

from __future__ import annotations

import copy

from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, open_dict, read_write


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


def basic_launcher(
    hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
) -> Launcher:
    """Hydra's own basic launcher, set up for ``config`` as Hydra sets up a sweep's launcher.

    Found as a user names it (``hydra/launcher=basic``: Hydra's config store) and made by
    Hydra's plugin registry, both public, so no module of Hydra's internals is imported.
    """
    from hydra.core.config_store import ConfigStore
    from hydra.core.plugins import Plugins

    plugins = Plugins.instance()  # its scan stores Hydra's own launchers' configs
    basic = copy.deepcopy(config)
    with read_write(basic.hydra), open_dict(basic.hydra):
        basic.hydra.launcher = ConfigStore.instance().load("hydra/launcher/basic.yaml").node
    launcher = plugins.instantiate_launcher(
        hydra_context=hydra_context, task_function=task_function, config=basic
    )
    # the sweep's own config, not the copy: its resolved values (the sweep folder's ${now:})
    launcher.setup(hydra_context=hydra_context, task_function=task_function, config=config)
    return launcher
