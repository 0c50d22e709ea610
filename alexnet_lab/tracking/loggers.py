"""Weights & Biases: online with the user's API key, offline without one (no account needed)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytorch_lightning.loggers import WandbLogger

from alexnet_lab.overrides import shell_join
from alexnet_lab.record.files import RunRecord
from alexnet_lab.tracking.wandb_settings import start_failed, wandb_mode

if TYPE_CHECKING:
    from wandb.sdk.wandb_run import Run


class BoundedWandbLogger(WandbLogger):
    """Lightning's WandbLogger with a bounded start (``init_timeout`` seconds, not W&B's 90).

    A run that does not start in time, or is refused (a bad key), is a
    :class:`~alexnet_lab.tracking.wandb_settings.WandbStartError` paragraph that says how to
    go offline, not W&B's traceback.
    """

    def __init__(self, *args: Any, init_timeout: float, **kwargs: Any) -> None:
        import wandb

        kwargs.setdefault("settings", wandb.Settings(init_timeout=init_timeout))
        super().__init__(*args, **kwargs)
        self.init_timeout = init_timeout

    @property
    def experiment(self) -> Any:
        """The W&B run, started on first use (by Lightning); a failed start is a paragraph."""
        import wandb

        try:
            return super().experiment
        except wandb.errors.Error as exc:
            raise start_failed(exc, self.init_timeout) from exc


def wandb_logger(
    project: str = "alexnet-lab",
    entity: str | None = None,
    save_dir: str = ".",
    group: str | None = None,
    tags: list[str] | None = None,
    name: str | None = None,
    init_timeout: float = 30.0,
    **kwargs: Any,
) -> WandbLogger:
    """A Lightning WandbLogger whose mode is chosen by :func:`wandb_mode`.

    W&B's console output is off unless ``WANDB_SILENT=false`` (:mod:`alexnet_lab.quiet`).
    ``init_timeout``: the seconds W&B may take to start the run (online: to reach its server).
    """
    Path(save_dir).mkdir(parents=True, exist_ok=True)
    logger = BoundedWandbLogger(
        project=project,
        entity=entity,
        save_dir=save_dir,
        group=group,
        tags=tags,
        name=name,
        mode=wandb_mode(),
        init_timeout=init_timeout,
        **kwargs,
    )
    # Lightning always passes anonymous=None, which W&B >= 0.19 warns has no effect
    logger._wandb_init.pop("anonymous", None)
    return logger


def finish_wandb(exit_code: int, run: Run | None = None) -> dict[str, str] | None:
    """Finish ``run`` (default: the active W&B run, if any) with ``exit_code``; say where it is.

    Returns the run's mode, folder, id and group, and how to sync it (offline) or its URL;
    under ``WANDB_MODE=disabled`` only ``{"mode": "disabled"}`` (W&B wrote no folder).
    Every job of a multirun must finish its run, or the next job logs into it and a failed job
    shows as finished. A stacked member passes its own run, which is not ``wandb.run``.
    """
    if run is None:  # the active run; W&B never imported (a CSV-logged job): none, and no import
        wandb = sys.modules.get("wandb")
        run = getattr(wandb, "run", None)
    if run is None:
        return None
    if run.settings.mode == "disabled" or getattr(run, "disabled", False) is True:
        run.finish(exit_code=exit_code)  # WANDB_MODE=disabled: nothing was logged anywhere
        return {"mode": "disabled"}
    offline = bool(getattr(run.settings, "_offline", False)) or run.settings.mode in (
        "offline",
        "dryrun",
    )
    run_dir = str(Path(run.dir).parent)
    info = {
        "mode": "offline" if offline else "online",
        "dir": run_dir,
        "id": run.id,
        "group": run.group or "",
    }
    if offline:
        info["sync"] = shell_join(["wandb", "sync", run_dir])
    else:
        info["url"] = run.url or ""
    run.finish(exit_code=exit_code)
    return info


#: W&B's longest tag (a longer one fails the run's start with a validation error)
WANDB_TAG_LIMIT = 64


def logger_options(
    name: str, logger_cfg: Any, output_dir: str | Path, record: RunRecord, group: str | None
) -> dict[str, Any]:
    """What a run adds to one ``logger`` entry's config when it instantiates it.

    A logger whose ``save_dir`` is null writes into the run's folder; a W&B run (the entry
    named ``wandb``) is named after the run's overrides and grouped with its sweep
    (:func:`wandb_run_names`).
    """
    extra: dict[str, Any] = {}
    if "save_dir" in logger_cfg and logger_cfg["save_dir"] is None:
        extra["save_dir"] = str(output_dir)
    if name == "wandb":
        extra.update(wandb_run_names(record, group))
    return extra


def wandb_run_names(record: RunRecord, group: str | None) -> dict[str, Any]:
    """The W&B run's group, tags (claim and overrides) and name (its overrides)."""
    overrides = record.overrides
    tags = [record.claim] if record.claim else []
    tags += [o for o in overrides if not o.startswith(("data.root", "hydra"))][:20]
    tags = [tag[:WANDB_TAG_LIMIT] for tag in tags]  # W&B refuses a longer tag at init
    return {"group": group, "tags": tags, "name": (" ".join(overrides) or "defaults")[:128]}
