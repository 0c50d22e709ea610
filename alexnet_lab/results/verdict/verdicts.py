"""Verdicts: is the measured effect the paper's, in direction and size, beyond the seed noise.

The rules, in order, for one claim in one setting (``stats.py`` builds the intervals):

- A **ratio claim** ("several times faster", :attr:`Claim.min_ratio`) is ``reproduced`` when
  its interval lies wholly at or above the factor, ``not reproduced`` when wholly below it.
- A **difference claim**, one rule order whatever the number of seeds: ``not reproduced`` when
  its interval lies wholly on the other side of zero, or, where the paper gives a number (for
  the data set in use, :meth:`Claim.effect_for`), wholly below the margin
  (:data:`EQUIVALENCE_FRACTION` of it): a precise null when it straddles 0, a real but much
  smaller effect when it lies inside (0, margin). ``reproduced`` when it lies wholly above 0
  and not wholly below the margin (and says "smaller than the paper's" when it also excludes
  the paper's number). Arms that are views of the same weights are judged on paired
  differences where every run has both views, unpaired on what exists otherwise.
- Otherwise ``inconclusive``, with what would decide: more epochs when censored runs leave the
  interval open, a finer measure when the epochs' rounding alone spans the threshold, more
  seeds (how many, at the spread seen) when the noise does.

``setting_verdict.judge_setting`` adds what only the arms' runs show.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from alexnet_lab.results.verdict.advice import (
    baseline_epochs,
    difference_decide,
    epochs_words,
    ratio_decide,
)
from alexnet_lab.results.verdict.claims import (
    EQUIVALENCE_FRACTION,
    INCONCLUSIVE,
    NOT_REPRODUCED,
    REPRODUCED,
    Claim,
    Part,
)
from alexnet_lab.results.verdict.intervals import (
    ArmStats,
    Interval,
    difference_interval,
    paired_interval,
    ratio_interval,
)
from alexnet_lab.results.verdict.metrics import Metric
from alexnet_lab.results.verdict.rules import MIN_SEEDS, difference_rule, pairing_of

__all__ = ["MIN_SEEDS", "effect_text", "judge", "judge_part", "paper_size"]


def judge(
    claim: Claim, favoured: ArmStats, baseline: ArmStats, data: str | None = None
) -> dict[str, Any]:
    """The verdict from the arms' values alone: label, reason in words, numbers, interval.

    ``data`` names the runs' data set (``data.name``): the paper's number for it sets the
    margin, and a number measured on another data set is said.
    """
    favoured, baseline = _resolved(claim.metric, favoured, baseline)
    if claim.min_ratio is not None:
        return _judge_ratio(claim, claim.min_ratio, favoured, baseline)
    effect, elsewhere = claim.effect_for(data)
    result = _judge_difference(
        claim.metric, favoured, baseline, claim.paper, effect, claim.is_paired
    )
    if elsewhere and "interval" in result["numbers"]:
        result["reason"] += f" Note: {elsewhere}."
        result["paper_size_from"] = elsewhere
    return result


def judge_part(part: Part, better: ArmStats, worse: ArmStats, paired: bool = False) -> dict:
    """Judge a claim's secondary comparison (:class:`Part`): is ``better`` below ``worse``."""
    better, worse = _resolved(part.metric, better, worse)
    result = _judge_difference(
        part.metric, better, worse, part.paper, part.paper_effect, paired, what=part.what
    )
    return {"part": part.what, **result}


def effect_text(verdict: dict[str, Any] | None) -> str:
    """A verdict's measured effect with its interval in words (``n/a`` without one)."""
    return str((verdict or {}).get("measured") or "n/a")


# -- the rules on the values -----------------------------------------------------------------


def _resolved(metric: Metric, *arms: ArmStats) -> tuple[ArmStats, ...]:
    """The arms with the metric's resolution (epochs: 1) where they do not state one."""
    return tuple(dataclasses.replace(a, resolution=a.resolution or metric.resolution) for a in arms)


def _numbers(metric: Metric, fav: ArmStats, base: ArmStats) -> dict[str, Any]:
    return {
        f"{fav.label}_{metric.name}": _finite_or_none(fav.mean),
        f"{base.label}_{metric.name}": _finite_or_none(base.mean),
        f"{fav.label}_std": fav.std,
        f"{base.label}_std": base.std,
        "n": {fav.label: fav.n, base.label: base.n},
        "censored": {fav.label: fav.censored, base.label: base.censored},
    }


def _too_few(fav: ArmStats, base: ArmStats) -> str | None:
    """Why the arms give no interval (an arm of fewer than :data:`MIN_SEEDS` runs), or None.

    More seeds only where the arm simply ran too few: runs left out (diverged, a number
    missing) are named instead.
    """
    if min(fav.n, base.n) >= MIN_SEEDS:
        return None
    what = f"{fav.label} has {fav.n}, {base.label} {base.n}"
    short = [a for a in (fav, base) if a.n < MIN_SEEDS]
    left = "; ".join(f"{a.label}: {', '.join(a.missing)}" for a in short if a.missing)
    fix = f"left out: {left}" if left else "run more seeds (seed=0,1,2)"
    return (
        f"too few seeds to judge: {what} usable; at least {MIN_SEEDS} per arm are needed for "
        f"an interval: {fix}."
    )


def _values(metric: Metric, fav: ArmStats, base: ArmStats) -> str:
    gt = " (>: some runs never reached it)" if fav.censored or base.censored else ""
    return f"{metric.label} {fav.label} {metric.cell(fav)}, {base.label} {metric.cell(base)}{gt}"


def _ci(interval: Interval, show: Any, open_low: float = -math.inf) -> str:
    """``95% interval a to b`` (``at least a`` / ``at most b`` when one end is open)."""
    level = f"{100 * interval.level:.0f}%"
    low_open = interval.low <= open_low or math.isinf(interval.low)
    if math.isinf(interval.high) and not low_open:
        return f"{level} interval: at least {show(interval.low)}"
    if low_open and math.isfinite(interval.high):
        return f"{level} interval: at most {show(interval.high)}"
    if low_open:
        return f"{level} interval: open on both sides"
    return f"{level} interval {show(interval.low)} to {show(interval.high)}"


def _judge_difference(
    metric: Metric,
    fav: ArmStats,
    base: ArmStats,
    paper: str,
    paper_effect: float | None,
    paired: bool,
    what: str = "",
) -> dict[str, Any]:
    """Direction and size: the interval of (worse - better) against 0 and the paper's effect."""
    better, worse = (fav, base) if metric.lower_is_better else (base, fav)
    effect = worse.mean - better.mean  # positive: the paper's direction
    numbers = _numbers(metric, fav, base) | {"effect": _finite_or_none(effect)}
    head = f"{what}: " if what else ""
    paired, pairing = pairing_of(paired, better, worse)
    few = _too_few(fav, base)
    if few:
        return {"verdict": INCONCLUSIVE, "numbers": numbers, "reason": head + few, "decide": few,
                "measured": f"{metric.difference(effect)} (no interval)"}  # fmt: skip
    interval = (paired_interval if paired else difference_interval)(better, worse)
    effect = interval.estimate
    numbers |= {"effect": _finite_or_none(effect), "interval": interval.as_dict(), "paired": paired}
    if pairing:
        numbers["pairing"] = pairing
    show = lambda v: metric.amount(v, signed=True)  # noqa: E731
    ci = _ci(interval, show)
    kind = "paired per run, " if paired else (f"{pairing}, " if pairing else "")
    said = (
        f"{head}{_values(metric, fav, base)}: {fav.label} is {metric.difference(effect)} "
        f"{metric.better_word} ({kind}{ci}); the paper: {paper}."
    )
    margin = EQUIVALENCE_FRACTION * paper_effect if paper_effect else None
    numbers["margin"] = margin
    verdict, words = difference_rule(metric, interval, margin, paper_effect)
    decide = None
    if verdict is None:
        verdict = INCONCLUSIVE
        decide, seeds = difference_decide(metric, interval, better, worse, margin, paired)
        numbers["seeds_needed"] = seeds
        words = f"Undecided: {decide}"
    measured = f"{metric.difference(effect)} {metric.label} ({ci})"
    out = {"verdict": verdict, "numbers": numbers, "reason": f"{said} {words}",
           "measured": measured, "effect": _finite_or_none(effect)}  # fmt: skip
    return out | ({"decide": decide} if decide else {})


def _judge_ratio(claim: Claim, min_ratio: float, fav: ArmStats, base: ArmStats) -> dict[str, Any]:
    """Size: the ratio's interval lies at or above ``min_ratio`` (or wholly below it)."""
    metric = claim.metric
    slow, fast = (base, fav) if metric.lower_is_better else (fav, base)
    ratio = slow.mean / fast.mean if fast.n and fast.mean > 0 and slow.n else None
    numbers = _numbers(metric, fav, base) | {
        "ratio": ratio,
        "difference": _finite_or_none(slow.mean - fast.mean),
    }
    name = f"{slow.label}/{fast.label}"
    few = _too_few(fav, base)
    if few or ratio is None:
        why = few or "no ratio: an arm has no value."
        return {"verdict": INCONCLUSIVE, "numbers": numbers, "reason": why, "decide": why,
                "measured": f"{ratio:.2f}x (no interval)" if ratio else "n/a"}  # fmt: skip
    if fav.all_censored and base.all_censored:
        epochs = max(fav.values + base.values)
        unfinished = fav.unfinished + base.unfinished
        finish = f"finish the {unfinished} unfinished runs (resume=true), " if unfinished else ""
        why = (
            f"neither arm reached the target within {epochs:g} epoch{'s' * (epochs != 1)}: "
            f"{finish}more epochs (trainer.max_epochs) or an easier target_error would decide."
        )
        return {"verdict": INCONCLUSIVE, "numbers": numbers, "decide": why,
                "measured": "n/a (neither arm reached the target)", "reason": why}  # fmt: skip
    interval = ratio_interval(slow, fast)
    numbers |= {"interval": interval.as_dict()}
    show = lambda v: f"{v:.2f}x"  # noqa: E731
    ci = _ci(interval, show, open_low=0.0)
    ge = "≥ " if slow.censored and not fast.censored else ""
    said = (
        f"{_values(metric, fav, base)}: {name} = {ge}{ratio:.2f}x ({ci}); the paper: {claim.paper}."
    )
    better, decide = metric.better_word, None
    if interval.low >= min_ratio:
        verdict = REPRODUCED
        words = f"{fav.label} is {better} by at least {min_ratio:g}x beyond the seed noise."
    elif interval.high < 1:
        verdict, words = NOT_REPRODUCED, f"{base.label} is {better}, beyond the seed noise."
    elif interval.high < min_ratio:
        verdict = NOT_REPRODUCED
        words = f"The advantage is below {min_ratio:g}x beyond the seed noise, short of the claim."
    else:
        verdict = INCONCLUSIVE
        decide, seeds = ratio_decide(min_ratio, interval, slow, fast)
        numbers["seeds_needed"] = seeds
        words = f"Whether by {min_ratio:g}x is open: {decide}"
    words += paper_size(claim, interval, slow, fast)
    ratio_text = f"{ge}{ratio:.2f}x ({ci})"
    out = {"verdict": verdict, "numbers": numbers, "reason": f"{said} {words}",
           "measured": ratio_text}  # fmt: skip
    return out | ({"decide": decide} if decide else {})


def paper_size(claim: Claim, interval: Interval, slow: ArmStats, fast: ArmStats) -> str:
    """Whether the ratio's interval reaches the paper's own factor, and what budget would tell.

    Empty when the claim gives no factor, or the interval lies below the claim's ``min_ratio``
    (the verdict already says it falls short). Where a censored slower arm leaves the
    interval's top open, the budget at which that arm, never reaching the target, would show
    the factor.
    """
    factor = claim.paper_ratio
    if factor is None or interval.high < (claim.min_ratio or 0.0):
        return ""  # no factor, or already short of the claim's own (the verdict says so)
    if interval.low >= factor:
        return f" As large as the paper's {factor:g}x."
    if interval.high < factor:
        return f" Smaller than the paper's {factor:g}x, beyond the seed noise."
    need = baseline_epochs(factor, fast)
    if slow.censored and need is not None:
        return (
            f" Whether as large as the paper's {factor:g}x is open: {slow.label} would have to "
            f"be seen slower than {need} epochs ({epochs_words(need, slow)})."
        )
    return f" The paper's {factor:g}x lies within the interval."


def _finite_or_none(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else value
