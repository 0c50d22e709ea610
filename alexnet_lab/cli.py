"""The ``alexnet-lab`` command: Hydra composes ``conf/``; each job is one training run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

from alexnet_lab import ddp, signals
from alexnet_lab.job import FAILED_JOBS, guarded_job
from alexnet_lab.wandb_sweep import agent_overrides

CONFIG_DIR = Path(__file__).resolve().parent.parent / "conf"


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def hydra_main(cfg: DictConfig) -> dict[str, Any]:
    """One Hydra job: train and test one configuration, leaving its run record."""
    return guarded_job(cfg)


def main() -> None:
    """Console-script entry point (``alexnet-lab``, ``python -m alexnet_lab``)."""
    signals.install()
    if ddp.is_ddp_child():
        sys.argv = ddp.child_argv(sys.argv[0])
    else:  # a run started by `wandb agent` writes below its sweep's folder
        sys.argv += agent_overrides(sys.argv[1:])
    hydra_main()
    if FAILED_JOBS:
        from alexnet_lab.console import print_error

        print_error(
            f"{len(FAILED_JOBS)} job(s) failed",
            "These jobs failed; their records say why (status `failed`, field `error`) and the "
            "sweep report marks them: " + "; ".join(FAILED_JOBS),
        )
        sys.exit(1)
