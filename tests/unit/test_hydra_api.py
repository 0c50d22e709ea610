"""Hydra's public API where it has one: its internals only where none exists, each saying why."""

from __future__ import annotations

import ast

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.experimental.callback import Callback
from hydra.types import HydraContext

from alexnet_lab.configs import CONFIG_DIR
from tests.conftest import ROOT

#: the private imports no public Hydra 1.3 API replaces: (file, module)
NO_PUBLIC_API = {
    ("alexnet_lab/sweep/composition.py", "hydra._internal.utils"),
    ("alexnet_lab/sweep/composition.py", "hydra._internal.hydra"),
}


def private_imports() -> list[tuple[str, str, int]]:
    """Every import of ``hydra._internal`` in the package and its plugins: file, module, line."""
    found = []
    for path in sorted(
        [*(ROOT / "alexnet_lab").rglob("*.py"), *(ROOT / "hydra_plugins").rglob("*.py")]
    ):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("hydra._internal"):
                    found.append((str(path.relative_to(ROOT)), name, node.lineno))
    return found


def test_hydras_internals_are_imported_only_where_no_public_api_exists_and_say_so():
    found = private_imports()
    assert {(path, module) for path, module, _ in found} == NO_PUBLIC_API
    for path, module, line in found:
        above = (ROOT / path).read_text(encoding="utf-8").splitlines()[max(0, line - 4) : line - 1]
        said = " ".join(above)
        assert "no public API" in said and "Hydra 1.3" in said, (path, module, line)


def test_hydras_basic_launcher_comes_through_its_public_registry(tmp_path):
    from alexnet_lab.sweep.launcher_base import basic_launcher

    overrides = ["data=synthetic", "logger=none", f"hydra.sweep.dir={tmp_path / 'sweep'}"]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        config = compose("config", overrides=overrides, return_hydra_config=True)
        own = config.hydra.launcher._target_  # the auto launcher's (conf/hydra/launcher/auto.yaml)
        loader = GlobalHydra.instance().config_loader()
        context = HydraContext(config_loader=loader, callbacks=Callback())  # type: ignore[arg-type]
        launcher = basic_launcher(context, lambda cfg: int(cfg.seed), config)
    assert type(launcher).__name__ == "BasicLauncher"
    assert launcher.config is config  # the sweep's own config, its resolved values kept
    assert config.hydra.launcher._target_ == own and "alexnet_lab" in own  # left as it was
