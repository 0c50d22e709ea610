"""Where the configs are (installed or in a checkout), and which experiment tests each claim."""

from __future__ import annotations

from pathlib import Path

import yaml

#: the package's own folder (``alexnet_lab/``)
PACKAGE_DIR = Path(__file__).resolve().parent


def config_dir(package_dir: Path = PACKAGE_DIR) -> Path:
    """The primary config folder: the installed ``alexnet_lab/conf``, else the checkout's ``conf/``.

    An installed wheel carries the configs inside the package; a source checkout (and an
    editable install of it) keeps them at the repository's top level, next to the package.
    """
    for candidate in (package_dir / "conf", package_dir.parent / "conf"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise FileNotFoundError(
        f"alexnet-lab's configs are missing: neither {package_dir / 'conf'} (an installed "
        f"package) nor {package_dir.parent / 'conf'} (a source checkout) holds config.yaml. "
        "Reinstall the package (pip install alexnet-lab, or pip install -e . in a checkout)."
    )


CONFIG_DIR = config_dir()


def claim_experiments(folder: Path = CONFIG_DIR) -> dict[str, str]:
    """Each claim's id and the experiment config that tests it, e.g. ``{"C2": "lrn"}``.

    Read from the ``claim:`` line of every ``experiment/*.yaml`` (the first experiment, by
    name, where several test one claim).
    """
    found: dict[str, str] = {}
    for path in sorted((folder / "experiment").glob("*.yaml")):
        claim = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("claim")
        if claim and str(claim) not in found:
            found[str(claim)] = path.stem
    return found
