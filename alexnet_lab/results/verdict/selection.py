"""Choosing an arm's value of its select keys (the lr) on the censored quantity the verdict reads.

Each value's runs are ranked against every other value's, run by run, only where the order is
certain (Gehan's generalisation of the rank test to censored values): a run that never reached
the target within 6 epochs (``>6``) is certainly slower than one that reached it at 5, and
of unknown order against one at 9, so it cannot beat the 9; a diverged run is slower than
any run that has a value. Before the ranks: a value with at least :data:`MIN_SEEDS` finished
(completed) runs, and no more unfinished than finished ones, is preferred to one without, so
an lr whose runs are mostly unfinished, or that finished one seed, is not chosen over an lr
with finished seeds. Ties: more exact values, then the lower mean, then the final running
training error.
"""

from __future__ import annotations

import math
from collections import Counter

from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.verdict.arms import ArmResult
from alexnet_lab.results.verdict.intervals import ArmStats
from alexnet_lab.results.verdict.metrics import FINAL_TRAIN_ERROR, Metric
from alexnet_lab.results.verdict.rules import MIN_SEEDS

#: a run's value as certain bounds for ranking: (lowest, highest) possible
Bounds = tuple[float, float]


def run_bounds(metric: Metric, runs: list[RunRecord]) -> list[Bounds]:
    """Each run's value as bounds, lower is better: exact (v, v), censored (v, inf).

    A diverged run without a value is worse than every value (inf, inf); other runs without
    one say nothing and are not ranked.
    """
    sign = 1.0 if metric.lower_is_better else -1.0
    bounds = []
    for record in runs:
        value, censored = metric.value(record)
        if value is None:
            if record.status == "diverged":
                bounds.append((math.inf, math.inf))
            continue
        v = sign * value
        bounds.append((v, math.inf) if censored else (v, v))
    return bounds


def gehan_score(mine: list[Bounds], others: list[list[Bounds]]) -> float:
    """Pairs certainly better minus pairs certainly worse, over every pair, per pair."""
    score, pairs = 0, 0
    for other in others:
        for low, high in mine:
            for o_low, o_high in other:
                pairs += 1
                score += (high < o_low) - (o_high < low)
    return score / pairs if pairs else 0.0


def finished_enough(runs: list[RunRecord]) -> bool:
    """At least :data:`MIN_SEEDS` completed runs, and no more unfinished than completed ones."""
    done = sum(r.completed for r in runs)
    unfinished = sum(not r.completed and r.status != "diverged" for r in runs)
    return done >= MIN_SEEDS and unfinished <= done


def rank_key(
    stats: ArmStats, train: ArmStats, runs: list[RunRecord], score: float, metric: Metric
) -> tuple:
    """Lower is better: finished enough, the certain-order score, exact share, mean, train."""
    sign = 1.0 if metric.lower_is_better else -1.0
    exact = (stats.n - stats.censored) / stats.n if stats.n else 0.0
    mean = sign * stats.mean if stats.n else math.inf
    return (not finished_enough(runs), -score, -exact, mean, train.mean if train.n else 1.0)


def select_arm(
    label: str, by_sel: dict[tuple, list[RunRecord]], metrics: list[Metric], select_keys: list[str]
) -> ArmResult:
    """The arm at its best value of ``select_keys`` (:func:`rank_key`), with its grid."""
    metric = metrics[0]
    stats = {s: metric.stats(label, runs) for s, runs in by_sel.items()}
    train = {s: FINAL_TRAIN_ERROR.stats(label, runs) for s, runs in by_sel.items()}
    bounds = {s: run_bounds(metric, runs) for s, runs in by_sel.items()}
    scores = {s: gehan_score(bounds[s], [bounds[o] for o in by_sel if o != s]) for s in by_sel}
    best_sel = min(by_sel, key=lambda s: rank_key(stats[s], train[s], by_sel[s], scores[s], metric))
    runs = by_sel[best_sel]
    # the grid is what was measured: a value whose runs are all unfinished (interrupted,
    # still running) says nothing yet, so it cannot bracket the chosen one; a diverged run
    # does (that value was too large)
    measured = [s for s in by_sel if any(r.completed or r.status == "diverged" for r in by_sel[s])]
    grid: dict[str, list[str]] = {}
    at_edge = []
    for i, key in enumerate(select_keys):
        values = sorted({s[i][1] for s in measured or by_sel}, key=_numeric)
        grid[key] = values
        if len(values) > 1 and best_sel[i][1] in (values[0], values[-1]):
            at_edge.append(key)
    return ArmResult(
        label=label,
        selected=dict(best_sel),
        stats=stats[best_sel],
        by_metric={m.name: m.stats(label, runs) for m in metrics},
        statuses=dict(Counter(r.status for r in runs)),
        runs=runs,
        others={_sel_label(s): rs for s, rs in by_sel.items() if s != best_sel},
        grid=grid,
        at_edge=at_edge,
        not_learning=sum(r.did_not_learn for r in runs),
    )


def _sel_label(selection: tuple) -> str:
    return ", ".join(f"{k}={v}" for k, v in selection)


def _numeric(value: str) -> tuple[int, float | str]:
    try:
        return (0, float(value))
    except ValueError:
        return (1, value)
