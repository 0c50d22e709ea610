"""Make Hydra find our launcher plugins (stacked, parallel) under an editable install as well.

Hydra discovers launchers by walking the ``hydra_plugins`` namespace package with
``pkgutil``. A wheel puts ``hydra_plugins/alexnet_lab_stacked_launcher`` into site-packages,
where that walk finds it. setuptools' editable install (``pip install -e .``) instead maps
packages through an import hook that ``pkgutil`` cannot list, so the walk misses the plugin
and ``hydra/launcher=stacked`` (or ``parallel``) would be unknown. Adding the checkout's
``hydra_plugins/`` folder to the namespace's search path, once, before Hydra scans, fixes that.
"""

from __future__ import annotations

from pathlib import Path

PLUGIN = "alexnet_lab_stacked_launcher"
#: the repository root of a source checkout (for an installed wheel: site-packages)
CHECKOUT = Path(__file__).resolve().parents[2]


def expose_checkout_plugins(checkout: Path = CHECKOUT) -> bool:
    """Add ``<checkout>/hydra_plugins`` to the namespace's path if it holds our plugin.

    Returns whether it was added (False for a wheel install, or when already there).
    """
    import hydra_plugins

    folder = checkout / "hydra_plugins"
    if not (folder / PLUGIN).is_dir() or str(folder) in list(hydra_plugins.__path__):
        return False
    hydra_plugins.__path__.append(str(folder))
    return True
