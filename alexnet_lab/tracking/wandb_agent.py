"""Runs started by a W&B sweep agent (``wandb agent``): where they write, which group they join.

The agent exports ``WANDB_SWEEP_ID`` and starts ``alexnet-lab experiment=... hydra.mode=RUN
<params>`` once per grid point. Each run then writes below ``multirun/wandb-sweep-<id>/``, so
that ``alexnet-lab-report multirun/wandb-sweep-<id>`` compares them as it compares a Hydra
multirun, and its W&B run joins the group ``<experiment>-wandb-sweep-<id>``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def sweep_id(env: Mapping[str, str] | None = None) -> str | None:
    """The W&B sweep this process runs for, if a W&B agent started it."""
    return (env if env is not None else os.environ).get("WANDB_SWEEP_ID") or None


def agent_overrides(argv: list[str], env: Mapping[str, str] | None = None) -> list[str]:
    """Hydra overrides to add to an agent's run: its run folder below the sweep's folder.

    Nothing is added outside an agent, or when the command line chooses a folder itself.
    """
    sweep = sweep_id(env)
    if sweep is None or any(a.startswith(("hydra.run.dir=", "-m", "--multirun")) for a in argv):
        return []
    run = (env if env is not None else os.environ).get("WANDB_RUN_ID")
    leaf = f"{run}" if run else "${now:%Y-%m-%d_%H-%M-%S}"
    return [f"hydra.run.dir=multirun/wandb-sweep-{sweep}/{leaf}"]


def group_name(experiment: str | None, sweep_dir: str, multirun: bool) -> str | None:
    """The W&B group of a run: its Hydra sweep, or its W&B sweep, else none."""
    prefix = experiment or "sweep"
    if multirun:
        return f"{prefix}-{Path(sweep_dir).name}"
    sweep = sweep_id()
    return f"{prefix}-wandb-sweep-{sweep}" if sweep else None
