"""Verdicts: does a measured effect hold beyond the seed noise, in the claim's direction and size.

An effect counts when its 95% interval (Welch's t for a difference, a log-scale t-interval for
a ratio, the measure's rounding added for integer measures: see ``stats.py``) excludes the
threshold the claim's words set: no difference for a direction claim; for a ratio claim
("several times faster", :attr:`Claim.min_ratio`) the favoured arm must be that many times
better at the interval's low end, and the claim fails when the interval's high end is below
it. Every verdict carries its interval, and an inconclusive one says how many seeds per arm
a firm verdict would need at the observed spread. A censored value (a run that never reached
the target) is a lower bound: it can never be what makes its own arm win.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from alexnet_lab.results.claims import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, Claim, Part
from alexnet_lab.results.metrics import Metric
from alexnet_lab.results.stats import (
    ArmStats,
    Interval,
    difference_interval,
    ratio_interval,
    seeds_needed,
)

MIN_SEEDS = 2


def judge(claim: Claim, favoured: ArmStats, baseline: ArmStats) -> dict[str, Any]:
    """The verdict for one setting: label, reason in words, the numbers and interval behind it."""
    favoured, baseline = _resolved(claim.metric, favoured, baseline)
    if claim.min_ratio is not None:
        return _judge_ratio(claim, claim.min_ratio, favoured, baseline)
    return _judge_difference(claim.metric, favoured, baseline, claim.paper)


def judge_part(part: Part, better: ArmStats, worse: ArmStats) -> dict[str, Any]:
    """Judge a claim's secondary comparison (:class:`Part`): is ``better`` below ``worse``."""
    better, worse = _resolved(part.metric, better, worse)
    result = _judge_difference(part.metric, better, worse, part.paper, what=part.what)
    return {"part": part.what, **result}


def effect_text(verdict: dict[str, Any] | None) -> str:
    """A verdict's measured effect with its interval in words (``n/a`` without one)."""
    return str((verdict or {}).get("measured") or "n/a")


def _resolved(metric: Metric, *arms: ArmStats) -> tuple[ArmStats, ...]:
    """The arms with the metric's resolution (epochs: 1) where they do not state one."""
    return tuple(dataclasses.replace(a, resolution=a.resolution or metric.resolution) for a in arms)


def _numbers(metric: Metric, fav: ArmStats, base: ArmStats) -> dict[str, Any]:
    return {
        f"{fav.label}_{metric.name}": _finite(fav.mean),
        f"{base.label}_{metric.name}": _finite(base.mean),
        f"{fav.label}_std": fav.std,
        f"{base.label}_std": base.std,
        "n": {fav.label: fav.n, base.label: base.n},
        "censored": {fav.label: fav.censored, base.label: base.censored},
    }


def _too_few(fav: ArmStats, base: ArmStats) -> str | None:
    if fav.n >= MIN_SEEDS and base.n >= MIN_SEEDS:
        return None
    return (
        f"too few seeds to judge: {fav.label} has {fav.n}, {base.label} has {base.n} usable "
        f"runs; at least {MIN_SEEDS} per arm are needed for an interval."
    )


def _values(metric: Metric, fav: ArmStats, base: ArmStats) -> str:
    ge = " (≥: some runs never reached it)" if fav.censored or base.censored else ""
    return f"{metric.label} {fav.label} {metric.cell(fav)}, {base.label} {metric.cell(base)}{ge}"


def _ci(interval: Interval, show: Any) -> str:
    return (
        f"95% interval {show(interval.low)} to {show(interval.high)}, t with {interval.df:.1f} df"
    )


def _firm(seeds: int | None, n: int) -> str:
    if seeds is None:
        return "no number of seeds would settle an effect this close to the threshold"
    if seeds <= n:
        return f"{seeds} seeds per arm would do at this spread; the interval is borderline"
    return f"a firm verdict would need about {seeds} seeds per arm at this spread"


def _judge_difference(
    metric: Metric, fav: ArmStats, base: ArmStats, paper: str, what: str = ""
) -> dict[str, Any]:
    """Direction beyond the noise: the interval of (worse - better) excludes 0."""
    better, worse = (fav, base) if metric.lower_is_better else (base, fav)
    effect = worse.mean - better.mean  # positive: the paper's direction
    numbers = _numbers(metric, fav, base) | {"effect": _finite(effect)}
    head = f"{what}: " if what else ""
    few = _too_few(fav, base)
    if few:
        return {"verdict": INCONCLUSIVE, "numbers": numbers, "reason": head + few,
                "measured": f"{metric.difference(effect)} (no interval)"}  # fmt: skip
    interval = difference_interval(better, worse)
    seeds = seeds_needed(effect, (fav.variance, base.variance))
    numbers |= {"interval": interval.as_dict(), "seeds_needed": seeds}
    ci = _ci(interval, lambda v: metric.amount(v, signed=True))
    said = (
        f"{head}{_values(metric, fav, base)}: {fav.label} is {metric.difference(effect)} "
        f"{metric.better_word} ({ci}); the paper: {paper}."
    )
    if interval.low > 0 and not fav.censored:
        verdict, words = REPRODUCED, "The paper's direction holds beyond the seed noise."
    elif interval.high < 0 and not base.censored:
        verdict, words = NOT_REPRODUCED, "The opposite direction holds beyond the seed noise."
    else:
        verdict = INCONCLUSIVE
        words = (
            f"The difference is inside the seed noise (the interval includes 0): "
            f"{_firm(seeds, min(fav.n, base.n))}."
        )
    measured = f"{metric.difference(effect)} {metric.label} ({ci.split(',')[0]})"
    return {"verdict": verdict, "numbers": numbers, "reason": f"{said} {words}",
            "measured": measured, "effect": _finite(effect)}  # fmt: skip


def _judge_ratio(claim: Claim, min_ratio: float, fav: ArmStats, base: ArmStats) -> dict[str, Any]:
    """Size beyond the noise: the ratio's interval lies above ``min_ratio`` (or below it)."""
    metric = claim.metric
    slow, fast = (base, fav) if metric.lower_is_better else (fav, base)
    ratio = slow.mean / fast.mean if fast.n and fast.mean > 0 and slow.n else None
    numbers = _numbers(metric, fav, base) | {
        "ratio": ratio,
        "difference": _finite(slow.mean - fast.mean),
    }
    name = f"{slow.label}/{fast.label}"
    few = _too_few(fav, base)
    if few or ratio is None:
        return {"verdict": INCONCLUSIVE, "numbers": numbers,
                "reason": few or "no ratio: an arm's mean is zero.",
                "measured": f"{ratio:.2f}x (no interval)" if ratio else "n/a"}  # fmt: skip
    if fav.censored == fav.n and base.censored == base.n:
        return {
            "verdict": INCONCLUSIVE,
            "numbers": numbers,
            "measured": "n/a (neither arm reached the target)",
            "reason": "neither arm reached the target within the epoch budget: raise "
            "trainer.max_epochs or the target.",
        }
    interval = ratio_interval(slow, fast)
    log_variances = (slow.variance / slow.mean**2, fast.variance / fast.mean**2)
    seeds = seeds_needed(math.log(ratio / min_ratio), log_variances)
    numbers |= {"interval": interval.as_dict(), "seeds_needed": seeds}
    ci = _ci(interval, lambda v: f"{v:.2f}x")
    bound = " (a lower bound: some runs never reached the target)" if base.censored else ""
    said = (
        f"{_values(metric, fav, base)}: {name} = {ratio:.2f}x{bound} ({ci}); "
        f"the paper: {claim.paper}."
    )
    better = metric.better_word
    if interval.low >= min_ratio and not fav.censored:
        verdict = REPRODUCED
        words = f"{fav.label} is {better} by at least {min_ratio:g}x beyond the seed noise."
    # a censored value is a lower bound: "baseline is faster" needs the baseline's values
    # exact; the favoured arm's censored values could only be larger, which makes it slower
    elif interval.high < 1 and not base.censored:
        verdict, words = NOT_REPRODUCED, f"{base.label} is {better}, beyond the seed noise."
    elif interval.high < min_ratio and not base.censored:
        verdict = NOT_REPRODUCED
        words = (
            f"The advantage is below {min_ratio:g}x beyond the seed noise, short of the "
            f"claim's {min_ratio:g}x."
        )
    else:
        verdict = INCONCLUSIVE
        where = (
            f"{fav.label} is {better} beyond the seed noise, but whether by {min_ratio:g}x "
            "is inside it"
            if interval.low > 1 and not fav.censored
            else "The difference is inside the seed noise"
        )
        words = f"{where}: {_firm(seeds, min(fav.n, base.n))}."
    return {"verdict": verdict, "numbers": numbers, "reason": f"{said} {words}",
            "measured": f"{ratio:.2f}x ({ci.split(',')[0]})"}  # fmt: skip


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value
