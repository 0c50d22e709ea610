"""Intervals that stay honest at 2-5 seeds: Welch's t-interval and a log-scale ratio interval.

A verdict's effect counts only when its 95% interval excludes the threshold the claim's words
set. With two or three seeds the t quantile is large (12.7 at one degree of freedom, 4.3 at
two), and integer measures (epochs) carry their rounding: a value known to the epoch is the
true one plus a uniform error of +-0.5, variance 1/12, so two seeds that both read 5 epochs
do not make the arm's mean certain. No scipy: the t quantile comes from the regularised
incomplete beta function below (Numerical Recipes' continued fraction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LEVEL = 0.95
#: The most seeds per arm :func:`seeds_needed` looks for before it says "more than".
MAX_SEEDS = 1000


@dataclass
class ArmStats:
    """One arm's metric over its seeds (censored values stand at the budget + 1)."""

    label: str
    values: list[float]
    censored: int = 0
    #: the measure's resolution (1 for epochs, 0 for continuous measures)
    resolution: float = 0.0

    @property
    def n(self) -> int:
        """Number of runs with a value."""
        return len(self.values)

    @property
    def mean(self) -> float:
        """Mean over seeds (nan without values)."""
        return sum(self.values) / self.n if self.n else math.nan

    @property
    def std(self) -> float:
        """Sample standard deviation over seeds (0 for one value)."""
        if self.n < 2:
            return 0.0
        m = self.mean
        return math.sqrt(sum((v - m) ** 2 for v in self.values) / (self.n - 1))

    @property
    def variance(self) -> float:
        """Sample variance plus the rounding variance of the measure (resolution^2 / 12)."""
        return self.std**2 + self.resolution**2 / 12


@dataclass(frozen=True)
class Interval:
    """An estimate with its two-sided interval and the t distribution's degrees of freedom."""

    estimate: float
    low: float
    high: float
    df: float
    level: float = LEVEL

    def as_dict(self) -> dict[str, float]:
        """JSON-ready: estimate, low, high, df, level."""
        return {
            "estimate": round(self.estimate, 6),
            "low": round(self.low, 6),
            "high": round(self.high, 6),
            "df": round(self.df, 2) if math.isfinite(self.df) else -1.0,
            "level": self.level,
        }


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):  # fmt: skip
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-14:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(log_front + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` (real, > 0) degrees of freedom."""
    if math.isinf(df):
        return 0.5 * (1.0 + math.erf(t / math.sqrt(2.0)))
    tail = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (bisection on the CDF)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie in (0, 1), not {p}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        low, high = (mid, high) if t_cdf(mid, df) < p else (low, mid)
        if high - low < 1e-12 * max(1.0, high):
            break
    return (low + high) / 2.0


def welch_df(terms: list[tuple[float, int]]) -> float:
    """Welch-Satterthwaite degrees of freedom of a sum of ``variance/n`` terms, one per arm."""
    total = sum(v / n for v, n in terms)
    denominator = sum((v / n) ** 2 / (n - 1) for v, n in terms if n > 1)
    if total <= 0 or denominator <= 0:
        return float(max(sum(n for _, n in terms) - len(terms), 1))
    return total**2 / denominator


def _interval(estimate: float, terms: list[tuple[float, int]], level: float) -> Interval:
    se = math.sqrt(sum(v / n for v, n in terms))
    df = welch_df(terms)
    half = t_quantile(0.5 + level / 2.0, df) * se
    return Interval(estimate, estimate - half, estimate + half, df, level)


def difference_interval(better: ArmStats, worse: ArmStats, level: float = LEVEL) -> Interval:
    """Welch's t-interval for ``worse.mean - better.mean``.

    Positive when ``better`` is lower (for a higher-is-better measure pass the arms swapped).
    """
    terms = [(better.variance, better.n), (worse.variance, worse.n)]
    return _interval(worse.mean - better.mean, terms, level)


def ratio_interval(numerator: ArmStats, denominator: ArmStats, level: float = LEVEL) -> Interval:
    """An interval for ``numerator.mean / denominator.mean`` (delta method on the log scale).

    The log ratio's variance is the sum of each arm's squared coefficient of variation over its
    seeds; the degrees of freedom are Welch's over those two terms; the ends are exponentiated.
    """
    terms = [
        (arm.variance / arm.mean**2, arm.n) for arm in (numerator, denominator) if arm.mean > 0
    ]
    log_ratio = _interval(math.log(numerator.mean / denominator.mean), terms, level)
    return Interval(
        math.exp(log_ratio.estimate),
        math.exp(log_ratio.low),
        math.exp(log_ratio.high),
        log_ratio.df,
        level,
    )


def seeds_needed(
    margin: float, variances: tuple[float, float], level: float = LEVEL, minimum: int = 2
) -> int | None:
    """Seeds per arm at which an effect would clear its interval at the observed spread.

    ``margin`` is the effect's distance from its threshold and ``variances`` each arm's
    variance, both in the effect's units. ``None`` when no number would (a zero margin) or
    more than :data:`MAX_SEEDS` would.
    """
    margin = abs(margin)
    if margin == 0 or not math.isfinite(margin):
        return None
    for n in range(minimum, MAX_SEEDS + 1):
        terms = [(v, n) for v in variances]
        se = math.sqrt(sum(v / n for v, n in terms))
        if se == 0 or t_quantile(0.5 + level / 2.0, welch_df(terms)) * se < margin:
            return n
    return None
