"""Before a sweep starts: whether its budget (epochs, seeds) can show its claim at best.

A Hydra callback reads the sweep's claim (the experiment's ``claim``, else the claim whose
config group the sweep varies), its seeds (the ``seed`` sweep, from the command line or the
experiment) and its epoch budget, and prints one paragraph when even the best case could not
reach a verdict (:func:`alexnet_lab.results.advice.check_budget`). The sweep goes on; the
verdict repeats it with the numbers the runs gave.
"""

from __future__ import annotations

from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from alexnet_lab import ddp


def sweep_values(config: DictConfig) -> dict[str, list[str]]:
    """Every swept key's values: the experiment's ``hydra.sweeper.params``, then the command's."""
    params = OmegaConf.select(config, "hydra.sweeper.params") or {}
    texts = [f"{key}={value}" for key, value in params.items()]
    texts += list(OmegaConf.select(config, "hydra.overrides.task") or [])
    values: dict[str, list[str]] = {}
    parser = OverridesParser.create()
    for override in parser.parse_overrides(texts):
        key = override.get_key_element()
        if override.is_sweep_override():
            values[key] = [str(v) for v in override.sweep_string_iterator()]
        else:
            values[key] = [str(override.get_value_element_as_str())]
    return values


def budget_problem(config: DictConfig) -> str | None:
    """The paragraph :func:`check_budget` gives for this sweep, or None (no claim, or fine)."""
    from alexnet_lab.results.advice import check_budget
    from alexnet_lab.results.claims import CLAIM_BY_KEY, CLAIMS

    swept = sweep_values(config)
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
        if ddp.is_secondary_process():
            return
        try:
            problem = budget_problem(config)
        except Exception:  # a sweep grammar this check does not follow: no advice, no harm
            return
        if problem:
            from alexnet_lab.console import print_warning

            print_warning("budget too small for a verdict", problem)
