"""W&B's settings, checked before any data loads: the mode, the project name, the API key.

Each is W&B's own rule (``wandb.Settings`` validates the mode and the project name), asked
up front so that a typo is one paragraph with the fix and exit 2 instead of a traceback after
the data loaded, or a login prompt. W&B's start itself is bounded by ``init_timeout``
(:func:`~alexnet_lab.tracking.loggers.wandb_logger`); when it does not start,
:class:`WandbStartError`.
"""

from __future__ import annotations

import netrc
import os
import typing
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from alexnet_lab.errors import UserError


def has_wandb_api_key() -> bool:
    """True when W&B would find an API key: WANDB_API_KEY or a ~/.netrc entry (``wandb login``)."""
    if os.environ.get("WANDB_API_KEY"):
        return True
    host = urlparse(os.environ.get("WANDB_BASE_URL", "https://api.wandb.ai")).hostname
    netrc_path = Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    try:
        return bool(host and netrc.netrc(str(netrc_path)).authenticators(host))
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return False


def wandb_mode() -> str:
    """The W&B mode for a run: WANDB_MODE when set, else online with an API key, else offline.

    Deciding before ``wandb.init`` means a machine with no account (CI, a laptop on a train)
    never meets W&B's login prompt or its "no API key" error.
    """
    explicit = os.environ.get("WANDB_MODE")
    if explicit:
        return explicit
    return "online" if has_wandb_api_key() else "offline"


#: how to go on without W&B's servers, the end of every paragraph here
OFFLINE_FIX = (
    "To log without W&B's servers, set WANDB_MODE=offline (the run is kept in its folder; "
    "upload it later with the `wandb sync` command the run prints), or add logger=none."
)


class WandbSettingsError(UserError):
    """WANDB_MODE, the project name or the API key cannot work (the message says which)."""


class WandbStartError(UserError):
    """W&B did not start a run (no answer within ``init_timeout``, a rejected key, ...)."""


def wandb_modes() -> tuple[str, ...]:
    """The values W&B accepts for its mode (``WANDB_MODE``), from ``wandb.Settings`` itself."""
    import wandb

    return typing.get_args(wandb.Settings.model_fields["mode"].annotation)


def wandb_problem(logger_cfg: Any) -> str | None:
    """Why the ``logger.wandb`` entry ``logger_cfg`` cannot start a W&B run, else None."""
    import wandb

    mode = os.environ.get("WANDB_MODE")
    if mode and mode not in wandb_modes():
        return (
            f"WANDB_MODE={mode!r} is not a W&B mode: it must be one of "
            f"{', '.join(wandb_modes())}. Nothing was trained. Fix or unset WANDB_MODE (unset: "
            "online with an API key, offline without). " + OFFLINE_FIX
        )
    project = logger_cfg.get("project")
    try:
        wandb.Settings(project=project)
    except (wandb.errors.Error, ValueError) as exc:
        why = str(exc).splitlines()[0]
        return (
            f"logger.wandb.project={project!r} is not a valid W&B project name ({why}). "
            "Nothing was trained. A project name has at most 128 characters and none of "
            "/ \\ # ? % : ; to log into a team's project, set logger.wandb.entity=TEAM and "
            "logger.wandb.project=NAME."
        )
    if wandb_mode() in ("online", "run", "shared") and not has_wandb_api_key():
        return (
            f"WANDB_MODE={wandb_mode()} needs a W&B API key, and none is set (no "
            "WANDB_API_KEY, no ~/.netrc entry from `wandb login`). Nothing was trained. Run "
            "`wandb login` or set WANDB_API_KEY. " + OFFLINE_FIX
        )
    return None


def check_wandb(cfg: Any) -> None:
    """Raise :class:`WandbSettingsError` when the config's W&B logger cannot start."""
    logger_cfg = (cfg.get("logger") or {}).get("wandb")
    if logger_cfg is None:
        return
    problem = wandb_problem(logger_cfg)
    if problem:
        raise WandbSettingsError(problem)


def start_failed(exc: BaseException, init_timeout: float) -> WandbStartError:
    """The paragraph for a W&B run that did not start (its own error, then how to go offline)."""
    import wandb

    why = (str(exc).splitlines() or [""])[0]
    if isinstance(exc, (wandb.errors.AuthenticationError, wandb.errors.UsageError)):
        return WandbStartError(  # W&B's own answer, however fast it came
            f"W&B refused to start this run ({type(exc).__name__}: {why}). Nothing was "
            "trained. Check the API key (`wandb login --relogin`, or WANDB_API_KEY) and the "
            f"entity and project. {OFFLINE_FIX}"
        )
    return WandbStartError(
        f"W&B did not start this run within {init_timeout:g} s ({type(exc).__name__}: {why}). "
        "Check the network and the API key (`wandb login --relogin`), or give it longer with "
        f"logger.wandb.init_timeout=SECONDS. {OFFLINE_FIX}"
    )
