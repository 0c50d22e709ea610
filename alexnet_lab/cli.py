"""The ``alexnet-lab`` command: Hydra composes the configs; each job is one training run.

The configs live in the repository's ``conf/`` and install with the package as
``alexnet_lab/conf`` (a wheel, ``pip install .``); :func:`~alexnet_lab.configs.config_dir` finds
whichever this copy of the package has. ``--config-dir`` and ``hydra.searchpath`` add a user's
own.
"""

from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from alexnet_lab.configs import CONFIG_DIR
from alexnet_lab.engines.lightning import ddp
from alexnet_lab.errors import CommandEnd
from alexnet_lab.help import bare_help
from alexnet_lab.quiet import quiet_lightning, quiet_terminal
from alexnet_lab.run import roles, signals
from alexnet_lab.run.end import RunEnd
from alexnet_lab.suggest import unknown_key, unknown_option
from alexnet_lab.sweep.composition import composition_problem, twice
from alexnet_lab.sweep.plugins import expose_checkout_plugins
from alexnet_lab.tracking.wandb_agent import agent_overrides


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def hydra_main(cfg: DictConfig) -> RunEnd:
    """One Hydra job: train and test one configuration, leaving its run record.

    Returns how the job ended; the sweep's callback turns an ending that ends the command
    into a :class:`~alexnet_lab.errors.CommandEnd`. The job's modules (torch, Lightning, W&B)
    are imported here, after Hydra has read the arguments and a single run's values have been
    checked, so ``--help`` and a mistyped option answer in about a second, and a bad value in
    a few.
    """
    from alexnet_lab.run.early_checks import check_single_run

    checked = check_single_run(cfg)  # a single run's checks, made once, here
    from alexnet_lab.engines.lightning.job import guarded_job

    quiet_lightning()  # importing Lightning set its loggers back to INFO
    return guarded_job(cfg, checked=checked)


def main() -> None:
    """Console-script entry point (``alexnet-lab``, ``python -m alexnet_lab``).

    The only place where the command's ending becomes its exit status: library code raises
    :class:`~alexnet_lab.errors.CommandEnd` (its paragraph is printed here).
    """
    code = command()
    if code:
        sys.exit(code)


def command() -> int:
    """The ``alexnet-lab`` command: its exit status."""
    help_text = bare_help(sys.argv[1:], CONFIG_DIR)  # Hydra's own takes seconds
    if help_text is not None:
        print(help_text)
        return 0
    quiet_terminal()  # Lightning's banners, W&B's console, torch's LeafSpec warning
    signals.install()
    expose_checkout_plugins()  # hydra/launcher=stacked under `pip install -e .` too
    try:
        start()
    except CommandEnd as end:
        from alexnet_lab.console import say_end

        return say_end(end)
    return 0


def start() -> None:
    """Check the command line (before Hydra runs: nothing is written), then run Hydra."""
    if roles.is_ddp_child():
        sys.argv = ddp.child_argv(sys.argv[0])
    else:  # a run started by `wandb agent` writes below its sweep's folder
        own = sys.argv[1:]
        sys.argv += agent_overrides(own)
        problem = unknown_option(sys.argv[1:], CONFIG_DIR) or unknown_key(sys.argv[1:], CONFIG_DIR)
        if problem:
            raise CommandEnd(2, "unknown option", problem)
        problem = composition_problem(sys.argv[1:], CONFIG_DIR)
        if problem:  # before Hydra runs: nothing is written
            raise CommandEnd(2, "cannot start", problem)
        doubled = twice(own)
        if doubled:
            from alexnet_lab.console import print_warning

            print_warning("option given twice", doubled)
    hydra_main()
