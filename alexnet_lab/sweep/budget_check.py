"""Before a sweep starts: whether its budget (epochs, seeds) can show its claim at best.

A Hydra callback reads the sweep's claim (the experiment's ``claim``, else the claim whose
config group the sweep varies), its seeds (the ``seed`` sweep, from the command line or the
experiment) and its epoch budget, and prints one paragraph when even the best case could not
reach a verdict (:func:`alexnet_lab.results.verdict.advice.check_budget`). The sweep goes on; the
verdict repeats it with the numbers the runs gave.
"""

from __future__ import annotations

from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from alexnet_lab.overrides import sweep_values
from alexnet_lab.run import roles


def budget_problem(config: DictConfig) -> str | None:
    """The paragraph :func:`check_budget` gives for this sweep, or None (no claim, or fine)."""
    from alexnet_lab.results.verdict.advice import check_budget
    from alexnet_lab.results.verdict.claims import CLAIM_BY_KEY, CLAIMS

    params = OmegaConf.select(config, "hydra.sweeper.params") or {}
    task = list(OmegaConf.select(config, "hydra.overrides.task") or [])
    swept = {k: v for k, v in (sweep_values(task, params) or {}).items() if v is not None}
    claim = CLAIMS.get(str(config.get("claim") or ""))
    if claim is None:
        claim = next((CLAIM_BY_KEY[k] for k in swept if k in CLAIM_BY_KEY), None)
    if claim is None:
        return None
    epochs = [int(v) for v in swept.get("trainer.max_epochs", [config.trainer.max_epochs])]
    seeds = len(swept.get("seed", [config.get("seed")]))
    return check_budget(claim, max(epochs), seeds)


class BudgetCheckCallback(Callback):
    """Warn, before the first job, when the sweep's budget cannot show its claim."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """One paragraph on standard error when the best case cannot reach a verdict."""
        if roles.is_secondary_process():
            return
        try:
            problem = budget_problem(config)
        except Exception:  # a sweep grammar this check does not follow: no advice, no harm
            return
        if problem:
            from alexnet_lab.console import print_warning

            print_warning("budget too small for a verdict", problem)
