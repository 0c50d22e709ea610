"""What would decide a verdict, in words: a longer budget, the lr to add, smaller lrs to try.

Also the check a sweep runs before it starts: can its budget (epochs, seeds) show a ratio
claim even in the best case? It assumes the favoured arm is as fast as in the paper's own run
(:attr:`Claim.paper_favoured`) and the baseline never reaches the target.
"""

from __future__ import annotations

import math

from alexnet_lab.results.verdict.arms import ArmResult
from alexnet_lab.results.verdict.claims import NOT_REPRODUCED, Claim
from alexnet_lab.results.verdict.intervals import ArmStats, Interval, sample_std, seeds_needed
from alexnet_lab.results.verdict.metrics import Metric

MIN_SEEDS = 2


def _number(value: float) -> str:
    return f"{float(f'{value:.2g}'):g}"


def needed_epochs(min_ratio: float, favoured_epochs: float) -> int:
    """The epoch budget at which a baseline that never reached the target shows ``min_ratio``.

    A run that never reached the target in ``B`` epochs stands for more than ``B``; a favoured
    arm at ``k`` epochs stands for at most ``k``: the ratio's low end is ``B / k``.
    """
    return math.ceil(min_ratio * favoured_epochs - 1e-9)


def baseline_epochs(factor: float, fast: ArmStats) -> int | None:
    """The epochs a baseline that never reaches the target must outlast to show ``factor``.

    Against ``fast`` at its runs' upper bounds (:func:`needed_epochs`); None when ``fast`` has
    no run or a run that never reached the target.
    """
    fastest = sum(fast.highs) / fast.n if fast.n else math.inf
    return needed_epochs(factor, fastest) if math.isfinite(fastest) else None


def epochs_words(need: int, arm: ArmStats) -> str:
    """What would let ``arm`` be seen slower than ``need`` epochs, with the budget it had.

    A longer budget (``trainer.max_epochs``) only when ``need`` exceeds the budget its runs
    had; otherwise its unfinished runs (interrupted, still running) have to finish.
    """
    if arm.budget and need <= arm.budget:
        runs = f"its {arm.unfinished} unfinished run{'s' * (arm.unfinished != 1)}"
        return (
            f"{runs if arm.unfinished else 'its runs'} must run their {arm.budget}-epoch "
            f"budget (resume=true)"
        )
    return f"trainer.max_epochs={need}"


def budget_words(claim: Claim, favoured: ArmStats, budget: int) -> str | None:
    """Why this budget could not show the claim, with the one that could (None when it could)."""
    if claim.min_ratio is None or not favoured.n or not budget:
        return None
    fastest = sum(favoured.highs) / favoured.n
    if math.isinf(fastest):
        return None
    need = needed_epochs(claim.min_ratio, fastest)
    if budget >= need:
        return None
    return (
        f"This budget could not show the claim: with {favoured.label} at {fastest:g} epochs, "
        f"{claim.min_ratio:g}x needs {claim.baseline} to be seen slower than {need} epochs "
        f"even if it never reached the target, and the runs had {budget}: run at least "
        f"trainer.max_epochs={need}."
    )


def check_budget(claim: Claim, max_epochs: int, seeds: int) -> str | None:
    """Before a sweep: one paragraph when its budget cannot show ``claim`` in the best case."""
    problems = []
    if seeds < MIN_SEEDS:
        problems.append(
            f"{seeds} seed per arm gives no interval, so no verdict: run at least "
            f"{MIN_SEEDS} (seed=0,1)"
        )
    if claim.min_ratio is not None and claim.paper_favoured:
        need = needed_epochs(claim.min_ratio, claim.paper_favoured)
        if max_epochs < need:
            problems.append(
                f"with {claim.favoured} reaching the target in {claim.paper_favoured:g} epochs as "
                f"in the paper's own run and {claim.baseline} never reaching it, "
                f"{max_epochs} epoch{'s' * (max_epochs != 1)} can show at most "
                f"{max_epochs / claim.paper_favoured:.2f}x, "
                f"under the claim's {claim.min_ratio:g}x: run at least "
                f"trainer.max_epochs={need}"
            )
    if not problems:
        return None
    return (
        f"This budget cannot show {claim.id} ({claim.title}) even in the best case: "
        + "; and ".join(problems)
        + ". The sweep goes on; its verdict will repeat this."
    )


def edge_value(arm: ArmResult, key: str) -> str:
    """The value of ``key`` to add beyond the grid's edge its chosen value sits at."""
    grid = [float(v) for v in arm.grid.get(key, [])]
    chosen = float(arm.selected[key])
    if len(grid) < 2:
        return "?"
    grid.sort()
    if chosen >= grid[-1]:
        return _number(grid[-1] * grid[-1] / grid[-2])
    return _number(grid[0] * grid[0] / grid[1])


def grid_edge_words(arm: ArmResult, verdict: str, add: dict[str, str]) -> str:
    """Why an edge makes the verdict inconclusive, and what to add."""
    which = "could still win" if verdict == NOT_REPRODUCED else "could still close the gap"
    keys = "; ".join(f"{key}={arm.selected[key]} is at the edge of {arm.grid[key]}" for key in add)
    adds = " ".join(f"{key}={value}" for key, value in add.items())
    return (
        f"the verdict would be {verdict}, but {arm.label}'s best {keys}, so a value beyond it "
        f"{which}: add {adds} to its grid."
    )


def lr_advice(arm: ArmResult) -> str:
    """An arm whose runs all diverged: its lrs were too large; smaller ones to try."""
    key = next(iter(arm.grid), None)
    diverged = sorted(
        {float(r.setting("lr")) for r in arm.every_run if r.status == "diverged" and
         r.setting("lr") is not None}
    )  # fmt: skip
    if key and arm.grid.get(key):
        smallest = min(float(v) for v in arm.grid[key])
        tries = ",".join(_number(smallest / f) for f in (3, 10))
        return (
            f"its runs diverged (lr {', '.join(map(_number, diverged)) or 'every value'}), so its "
            f"lr was too large, which says nothing of its speed: add smaller values, "
            f"{key}={tries}."
        )
    return "its runs diverged: its lr was too large; lower optim.lr."


def difference_decide(
    metric: Metric,
    interval: Interval,
    better: ArmStats,
    worse: ArmStats,
    margin: float | None,
    paired: bool,
) -> tuple[str, int | None]:
    """What would decide an inconclusive difference (epochs, a finer measure, or seeds)."""
    if interval.one_sided:
        unfinished = better.unfinished + worse.unfinished
        finish = f" (finish the {unfinished} unfinished runs: resume=true)" if unfinished else ""
        return (
            f"runs that never reached the target leave it open: more epochs would decide{finish}."
        ), None
    low, high = interval.bounds
    edges = [0.0] + ([margin] if margin is not None else [])
    if any(low < e <= high for e in edges):
        return (
            f"the {metric.label}'s rounding alone allows {metric.amount(low, True)} to "
            f"{metric.amount(high, True)}; more seeds would not decide, a finer measure would."
        ), None
    effect = interval.estimate
    gaps = [abs(effect)] + ([margin - effect] if margin is not None and effect < margin else [])
    if paired:
        paired_better = dict(zip(better.keys, better.values, strict=True))
        diffs = [w - paired_better[k] for k, w in zip(worse.keys, worse.values, strict=True)
                 if k in paired_better]  # fmt: skip
        spreads = (sample_std(diffs) / math.sqrt(2),) * 2
    else:
        spreads = (better.std, worse.std)
    needed = [n for n in (seeds_needed(g, spreads) for g in gaps) if n]
    seeds = min(needed) if needed else None
    return _seeds_words(seeds, min(better.n, worse.n)), seeds


def ratio_decide(
    min_ratio: float, interval: Interval, slow: ArmStats, fast: ArmStats
) -> tuple[str, int | None]:
    """What would decide an inconclusive ratio (epochs, a finer measure, or seeds)."""
    low, high = interval.bounds
    if low < min_ratio <= high:
        if fast.censored:
            finish = (
                f" (finish its {fast.unfinished} unfinished runs: resume=true)"
                if fast.unfinished
                else ""
            )
            return (
                f"{fast.label} did not reach the target in {fast.censored} of {fast.n} runs: "
                f"more epochs would decide{finish}."
            ), None
        if slow.censored:
            need = baseline_epochs(min_ratio, fast)
            how = epochs_words(need, slow) if need is not None else "more epochs"
            return (
                f"{slow.label} did not reach the target in {slow.censored} of {slow.n} runs, "
                f"which leaves the ratio open above: more epochs would decide ({slow.label} "
                f"must be seen slower than {need} epochs: {how})."
            ), None
        return (
            f"the epochs' rounding alone allows {low:.2f}x to {high:.2f}x (each count k stands "
            "for (k-1, k]); more seeds would not decide: a finer measure or a lower target "
            "(more epochs to reach it, so a smaller rounding) would."
        ), None
    if low >= min_ratio:
        top, bottom, gap = slow.lows, fast.highs, math.log(low / min_ratio)
    else:
        top, bottom, gap = slow.highs, fast.lows, math.log(min_ratio / high)
    spreads = (sample_std(top) / _avg(top), sample_std(bottom) / _avg(bottom))
    seeds = seeds_needed(gap, spreads)
    words = _seeds_words(seeds, min(slow.n, fast.n))
    if slow.censored and low >= min_ratio:
        words += (
            f" More epochs would help too: {slow.censored} of {slow.label}'s runs never reached "
            "the target, and their lower bounds rise with the budget."
        )
    return words, seeds


def _seeds_words(seeds: int | None, n: int) -> str:
    if seeds is None:
        return "no number of seeds would settle an effect this close to the threshold."
    if seeds <= n:
        return f"{seeds} seeds per arm would do at this spread; the interval is borderline."
    return f"the seed noise: about {seeds} seeds per arm would decide at this spread."


def _avg(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan
