"""Intervals that stay honest at 2-5 seeds, with integer and censored measures as bounds.

Every run's value enters as the bounds it really stands for: a continuous value (an error) as
itself; an integer count (epochs) ``k`` as ``(k - 1, k]``, since the target was crossed some
time during epoch ``k``; a run that never reached the target within its ``B`` epochs as
``(B, inf)``, a lower bound. An interval for a difference or a ratio of arm means then has two
ends, each a Student-t end (Welch's degrees of freedom for two arms, one-sample t for paired
differences) taken with every run at the bound least favourable to that end: the low end of
``worse - better`` from ``better``'s upper bounds and ``worse``'s lower ones, the high end the
other way round. With no seed spread the interval is exactly the range the bounds allow (ten
seeds all at 5 vs 9 epochs: a ratio anywhere in 8/5 to 9/4 = 1.60x to 2.25x), and an end that
a censored run leaves open is infinite: a one-sided interval ("at least 5.7x").
The t distribution comes from scipy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from scipy import special

LEVEL = 0.95
#: The most seeds per arm :func:`seeds_needed` looks for before it says "more than".
MAX_SEEDS = 1000
INF = math.inf


@dataclass
class ArmStats:
    """One arm's metric over its runs: values, which are lower bounds, and the measure's step.

    ``flags[i]`` is true when ``values[i]`` is censored: the true value lies above it (a run
    that never reached the target within ``values[i]`` epochs). Without ``flags``, the
    ``censored`` largest values are taken as the censored ones. ``keys`` name the run each
    value came from (paired claims match them); ``left_out`` counts runs without a value
    (diverged before reaching the target, a number missing), ``missing`` names them;
    ``unfinished`` counts censored values of runs that stopped before their budget
    (interrupted, still running, failed): finishing them (``resume=true``) would tell more.
    """

    label: str
    values: list[float]
    censored: int = 0
    #: the measure's step (1 for epochs, 0 for continuous measures)
    resolution: float = 0.0
    flags: list[bool] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    left_out: int = 0
    missing: list[str] = field(default_factory=list)
    unfinished: int = 0
    #: the largest epoch budget (``trainer.max_epochs``) of the arm's runs (0: not known)
    budget: int = 0

    def __post_init__(self) -> None:
        self.values = [float(v) for v in self.values]
        if len(self.flags) != len(self.values):
            largest = sorted(range(self.n), key=lambda i: -self.values[i])[: self.censored]
            self.flags = [i in largest for i in range(self.n)]
        self.censored = sum(self.flags)
        if len(self.keys) != len(self.values):
            self.keys = [str(i) for i in range(self.n)]

    @property
    def n(self) -> int:
        """Number of runs with a value."""
        return len(self.values)

    @property
    def mean(self) -> float:
        """Mean over seeds (nan without values); with censored values, a lower bound."""
        return sum(self.values) / self.n if self.n else math.nan

    @property
    def std(self) -> float:
        """Sample standard deviation over seeds (0 for one value)."""
        return sample_std(self.values)

    @property
    def lows(self) -> list[float]:
        """Each run's lowest possible true value."""
        step = self.resolution
        return [v if c else v - step for v, c in zip(self.values, self.flags, strict=True)]

    @property
    def highs(self) -> list[float]:
        """Each run's highest possible true value (inf for a censored run)."""
        return [INF if c else v for v, c in zip(self.values, self.flags, strict=True)]

    @property
    def all_censored(self) -> bool:
        """Whether no run of the arm has an exact value (and it has runs)."""
        return bool(self.n) and self.censored == self.n


@dataclass(frozen=True)
class Interval:
    """An estimate, its interval (either end may be infinite: one-sided) and t's df."""

    estimate: float
    low: float
    high: float
    df: float
    level: float = LEVEL
    #: the range the runs' bounds allow without any seed noise (the noise-free interval)
    bounds: tuple[float, float] = (-INF, INF)

    def as_dict(self) -> dict[str, float | None]:
        """JSON-ready: estimate, low, high (null where open), df, level, bounds."""
        return {
            "estimate": _json(self.estimate),
            "low": _json(self.low),
            "high": _json(self.high),
            "df": round(self.df, 2) if math.isfinite(self.df) else -1.0,
            "level": self.level,
            "bounds_low": _json(self.bounds[0]),
            "bounds_high": _json(self.bounds[1]),
        }

    @property
    def one_sided(self) -> bool:
        """Whether an end is open (infinite, or zero for a ratio)."""
        return not (math.isfinite(self.low) and math.isfinite(self.high))


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom.

    scipy.special's inverse distribution functions: the same values as ``scipy.stats``'s
    ``t.ppf`` and ``norm.ppf``, without that module's seconds of import in every job.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie in (0, 1), not {p}")
    if math.isinf(df):
        return float(special.ndtri(p))
    return float(special.stdtrit(df, p))


def welch_df(terms: list[tuple[float, int]]) -> float:
    """Welch-Satterthwaite degrees of freedom of a sum of ``variance/n`` terms, one per arm."""
    total = sum(v / n for v, n in terms)
    denominator = sum((v / n) ** 2 / (n - 1) for v, n in terms if n > 1)
    if total <= 0 or denominator <= 0:
        return float(max(sum(n for _, n in terms) - len(terms), 1))
    return total**2 / denominator


def sample_std(values: Sequence[float]) -> float:
    """The sample standard deviation (0 under two values)."""
    n = len(values)
    if n < 2:
        return 0.0
    m = sum(values) / n
    return math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _half(sides: list[Sequence[float]], level: float, scale: list[float] | None = None) -> tuple:
    """T quantile x standard error of a sum of arm means (Welch), and its df."""
    scale = scale or [1.0] * len(sides)
    terms = [((sample_std(s) / k) ** 2, len(s)) for s, k in zip(sides, scale, strict=False)]
    se = math.sqrt(sum(v / n for v, n in terms))
    df = welch_df(terms)
    return t_quantile(0.5 + level / 2.0, df) * se, df


def difference_interval(better: ArmStats, worse: ArmStats, level: float = LEVEL) -> Interval:
    """An interval for ``worse.mean - better.mean``, each run at its bounds (Welch's t).

    Positive when ``better`` is lower (for a higher-is-better measure pass the arms swapped).
    """
    estimate = worse.mean - better.mean
    low_sides, high_sides = (worse.lows, better.highs), (worse.highs, better.lows)
    low = high = math.nan
    df = math.inf
    if any(math.isinf(v) for v in better.highs):
        low_point = low = -INF
    else:
        low_point = _mean(low_sides[0]) - _mean(low_sides[1])
        half, df = _half(list(low_sides), level)
        low = low_point - half
    if any(math.isinf(v) for v in worse.highs):
        high_point = high = INF
    else:
        high_point = _mean(high_sides[0]) - _mean(high_sides[1])
        half, df_high = _half(list(high_sides), level)
        high, df = high_point + half, min(df, df_high)
    return Interval(estimate, low, high, df, level, (low_point, high_point))


def paired_interval(better: ArmStats, worse: ArmStats, level: float = LEVEL) -> Interval:
    """A one-sample t-interval for the mean of ``worse - better`` over runs the arms share.

    For arms that are views of the same trained weights: the runs are matched by
    :attr:`ArmStats.keys`, and each pair's difference enters with its bounds.
    """
    b = dict(zip(better.keys, zip(better.lows, better.highs, strict=False), strict=False))
    w = dict(zip(worse.keys, zip(worse.lows, worse.highs, strict=False), strict=False))
    shared = [k for k in worse.keys if k in b]
    lows = [w[k][0] - b[k][1] for k in shared]
    highs = [w[k][1] - b[k][0] for k in shared]
    n = len(shared)
    exact = dict(zip(better.keys, better.values, strict=True))
    estimate = _mean([v - exact[k] for k, v in zip(worse.keys, worse.values, strict=True)
                      if k in exact]) if n else 0.0  # fmt: skip
    quantile = t_quantile(0.5 + level / 2.0, max(n - 1, 1))
    ends = []
    for side, sign in ((lows, -1), (highs, 1)):
        if any(math.isinf(v) for v in side):
            ends.append(sign * INF)
            continue
        ends.append(_mean(side) + sign * quantile * sample_std(side) / math.sqrt(n))
    points = (_mean(lows), _mean(highs)) if n else (-INF, INF)
    return Interval(estimate, ends[0], ends[1], float(max(n - 1, 1)), level, points)


def ratio_interval(numerator: ArmStats, denominator: ArmStats, level: float = LEVEL) -> Interval:
    """An interval for ``numerator.mean / denominator.mean``, each run at its bounds.

    On the log scale (delta method: each side's squared coefficient of variation over its
    runs, Welch's degrees of freedom), the low end from the numerator's lower bounds over the
    denominator's upper bounds, the high end the other way round; an end a censored run leaves
    open is 0 or inf.
    """
    estimate = numerator.mean / denominator.mean if denominator.mean > 0 else INF
    ends, points, dfs = [], [], []
    for top, bottom, sign in (
        (numerator.lows, denominator.highs, -1),
        (numerator.highs, denominator.lows, 1),
    ):
        if any(map(math.isinf, top + bottom)) or _mean(top) <= 0 or _mean(bottom) <= 0:
            ends.append(0.0 if sign < 0 else INF)  # a censored run leaves this end open
            points.append(ends[-1])
            continue
        point = _mean(top) / _mean(bottom)
        half, df = _half([top, bottom], level, [_mean(top), _mean(bottom)])
        ends.append(point * math.exp(sign * half))
        points.append(point)
        dfs.append(df)
    df = min(dfs) if dfs else math.inf
    return Interval(estimate, ends[0], ends[1], df, level, (points[0], points[1]))


def seeds_needed(
    margin: float, spreads: tuple[float, float], level: float = LEVEL, minimum: int = 2
) -> int | None:
    """Seeds per arm at which an effect ``margin`` from its threshold would clear the interval.

    ``spreads`` are each arm's standard deviations in the effect's units. ``None`` when no
    number would (a zero margin) or more than :data:`MAX_SEEDS` would.
    """
    margin = abs(margin)
    if margin == 0 or not math.isfinite(margin):
        return None
    for n in range(minimum, MAX_SEEDS + 1):
        terms = [(s**2, n) for s in spreads]
        se = math.sqrt(sum(v / n for v, n in terms))
        if se == 0 or t_quantile(0.5 + level / 2.0, welch_df(terms)) * se < margin:
            return n
    return None


def mean_interval(stats: ArmStats, level: float = LEVEL) -> tuple[float, float] | None:
    """A t-interval for one arm's mean, its runs at their bounds (None under two runs)."""
    if stats.n < 2:
        return None
    quantile = t_quantile(0.5 + level / 2.0, stats.n - 1)
    half = quantile * stats.std / math.sqrt(stats.n)
    high = INF if stats.censored else _mean(stats.highs) + half
    return _mean(stats.lows) - half, high


def _json(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None
