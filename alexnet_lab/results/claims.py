"""The paper's claims C1..C7 (paper.md): what each compares and how its verdict is judged.

A verdict compares the measured effect with the paper's, direction and size, against the
spread over seeds: the effect counts only when it exceeds twice its standard error
(sqrt(s1^2/n1 + s2^2/n2), at least two seeds per arm). The thresholds are fixed here from the
claims' own words, never tuned to a result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE = "reproduced", "not reproduced", "inconclusive"
MIN_SEEDS = 2
Z = 2.0  # effects inside Z standard errors are noise


@dataclass(frozen=True)
class Claim:
    """One claim of the paper: the config key it varies and the arms it compares."""

    id: str
    title: str
    section: str
    key: str
    favoured: str
    baseline: str
    #: ``epochs_to_target`` (fewer is better) or ``top1_error`` (lower is better)
    metric: str
    paper: str
    #: C1: the speed-up ratio "several times" means at least this much
    min_ratio: float | None = None


CLAIMS: dict[str, Claim] = {
    c.id: c
    for c in (
        Claim(
            "C1",
            "ReLU trains several times faster than tanh",
            "3.1, Figure 1",
            "activation",
            "relu",
            "tanh",
            "epochs_to_target",
            "~6x fewer epochs to 25% training error (four-layer net, CIFAR-10)",
            min_ratio=2.0,
        ),
        Claim(
            "C2",
            "Local response normalization helps",
            "3.3",
            "norm",
            "lrn",
            "none",
            "top1_error",
            "top-1/top-5 error -1.4%/-1.2% (ILSVRC); CIFAR-10 test error 13% -> 11%",
        ),
        Claim(
            "C3",
            "Overlapping pooling helps",
            "3.4",
            "pooling",
            "overlap",
            "nonoverlap",
            "top1_error",
            "top-1/top-5 error -0.4%/-0.3% (ILSVRC)",
        ),
        Claim(
            "C4",
            "Dropout prevents overfitting",
            "4.2",
            "dropout",
            "on",
            "off",
            "top1_error",
            "without dropout 'substantial overfitting'; with it ~2x the iterations to converge",
        ),
        Claim(
            "C5",
            "Data augmentation prevents overfitting",
            "4.1",
            "augmentation",
            "paper",
            "none",
            "top1_error",
            "without crops 'substantial overfitting'; PCA lighting -1% top-1",
        ),
        Claim(
            "C6",
            "Two GPU towers beat one tower with half the kernels",
            "3.2",
            "towers",
            "two",
            "one",
            "top1_error",
            "top-1/top-5 error -1.7%/-1.2% (ILSVRC)",
        ),
        Claim(
            "C7",
            "Ten-patch test-time averaging helps",
            "4.1",
            "tta",
            "ten_crop",
            "center",
            "top1_error",
            "ILSVRC-2010 test top-1/top-5 37.5%/17.0% with it, 39.0%/18.3% without",
        ),
    )
}
CLAIM_BY_KEY: dict[str, Claim] = {c.key: c for c in CLAIMS.values()}


@dataclass
class ArmStats:
    """One arm's metric over its seeds (censored values stand at the budget + 1)."""

    label: str
    values: list[float]
    censored: int = 0

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


def _se(a: ArmStats, b: ArmStats, scale_a: float = 1.0) -> float:
    return math.sqrt((scale_a * a.std) ** 2 / a.n + b.std**2 / b.n)


def judge(claim: Claim, favoured: ArmStats, baseline: ArmStats) -> dict[str, Any]:
    """The verdict for one setting: label, reason in words, and the numbers behind it."""
    if claim.metric == "epochs_to_target":
        return _judge_speed(claim, favoured, baseline)
    return _judge_error(claim, favoured, baseline)


def _too_few(claim: Claim, favoured: ArmStats, baseline: ArmStats) -> dict[str, Any] | None:
    if favoured.n >= MIN_SEEDS and baseline.n >= MIN_SEEDS:
        return None
    return {
        "verdict": INCONCLUSIVE,
        "reason": f"too few seeds to judge: {favoured.label} has {favoured.n}, {baseline.label} "
        f"has {baseline.n} usable runs; at least {MIN_SEEDS} per arm are needed.",
    }


def _judge_speed(claim: Claim, fav: ArmStats, base: ArmStats) -> dict[str, Any]:
    numbers = {
        f"{fav.label}_epochs": fav.mean,
        f"{base.label}_epochs": base.mean,
        f"{fav.label}_std": fav.std,
        f"{base.label}_std": base.std,
        "ratio": base.mean / fav.mean if fav.n and fav.mean > 0 else None,
        "censored": {fav.label: fav.censored, base.label: base.censored},
    }
    few = _too_few(claim, fav, base)
    if few:
        return few | {"numbers": numbers}
    if fav.censored == fav.n and base.censored == base.n:
        return {
            "verdict": INCONCLUSIVE,
            "numbers": numbers,
            "reason": "neither arm reached the target within the epoch budget: raise "
            "trainer.max_epochs or the target.",
        }
    ratio = base.mean / fav.mean
    # standard error of the ratio of two means (delta method)
    numbers["ratio_se"] = ratio * math.sqrt(
        (base.std / base.mean) ** 2 / base.n + (fav.std / fav.mean) ** 2 / fav.n
    )
    diff = base.mean - fav.mean
    se = _se(fav, base)
    min_ratio = claim.min_ratio or 1.0
    bound = " (a lower bound: some runs never reached the target)" if base.censored else ""
    ge_fav, ge_base = ("≥" if arm.censored else "" for arm in (fav, base))
    censored = " (≥: some runs never reached it)" if ge_fav or ge_base else ""
    said = (
        f"{fav.label} reached the target in {ge_fav}{fav.mean:.1f} ± {fav.std:.1f} epochs, "
        f"{base.label} in {ge_base}{base.mean:.1f} ± {base.std:.1f}{censored}: "
        f"{base.label}/{fav.label} = {ratio:.2f}x{bound}; the paper: {claim.paper}."
    )
    if diff > Z * se and ratio >= min_ratio and not fav.censored:
        return {
            "verdict": REPRODUCED,
            "numbers": numbers,
            "reason": f"{said} {fav.label} is faster by at least {min_ratio:g}x beyond the "
            "seed noise.",
        }
    # a censored value is a lower bound: "tanh is faster" needs tanh's epochs exact; ReLU's
    # censored epochs could only be larger, which makes tanh faster still
    if diff < -Z * se and not base.censored:
        return {
            "verdict": NOT_REPRODUCED,
            "numbers": numbers,
            "reason": f"{said} {base.label} is faster, beyond the seed noise.",
        }
    # Is "several times faster" itself ruled out?  base - r*fav < -Z*se
    d_ratio = base.mean - min_ratio * fav.mean
    if not base.censored and d_ratio < -Z * _se(fav, base, scale_a=min_ratio):
        return {
            "verdict": NOT_REPRODUCED,
            "numbers": numbers,
            "reason": f"{said} The speed-up is below {min_ratio:g}x beyond the seed noise, "
            "not 'several times'.",
        }
    return {
        "verdict": INCONCLUSIVE,
        "numbers": numbers,
        "reason": f"{said} The difference is inside the seed noise (2 standard errors = "
        f"{Z * se:.2f} epochs).",
    }


def _judge_error(claim: Claim, fav: ArmStats, base: ArmStats) -> dict[str, Any]:
    effect = base.mean - fav.mean
    numbers = {
        f"{fav.label}_top1_error": fav.mean,
        f"{base.label}_top1_error": base.mean,
        f"{fav.label}_std": fav.std,
        f"{base.label}_std": base.std,
        "effect": effect,
    }
    few = _too_few(claim, fav, base)
    if few:
        return few | {"numbers": numbers}
    se = _se(fav, base)
    said = (
        f"top-1 error {fav.label} {100 * fav.mean:.2f} ± {100 * fav.std:.2f}%, {base.label} "
        f"{100 * base.mean:.2f} ± {100 * base.std:.2f}%: {fav.label} is "
        f"{100 * effect:+.2f} points better; the paper: {claim.paper}."
    )
    verdict, words = _direction(effect, se)
    return {
        "verdict": verdict,
        "numbers": numbers,
        "reason": f"{said} {words[0].upper()}{words[1:]}.",
    }


def _direction(effect: float, se: float) -> tuple[str, str]:
    """The verdict on an error difference (positive = the paper's direction), in words."""
    if effect > Z * se:
        return REPRODUCED, "the paper's direction holds beyond the seed noise"
    if effect < -Z * se:
        return NOT_REPRODUCED, "the opposite direction holds beyond the seed noise"
    return INCONCLUSIVE, (
        f"the difference is inside the seed noise (2 standard errors = {100 * Z * se:.2f} points)"
    )


def effect_text(numbers: dict[str, Any]) -> str:
    """A verdict's measured effect in words: C1's ratio (± its SE), else the top-1 difference."""
    if numbers.get("ratio") is not None:
        text = f"{numbers['ratio']:.2f}x"
        if numbers.get("ratio_se") is not None:
            text += f" ± {numbers['ratio_se']:.2f}"
        return text
    if numbers.get("effect") is not None:
        return f"{100 * numbers['effect']:+.2f} pts top-1"
    return "n/a"


def judge_part(
    what: str, lower: ArmStats, higher: ArmStats, paper: str, claim: Claim
) -> dict[str, Any]:
    """Judge a claim's secondary comparison: is ``lower``'s mean below ``higher``'s.

    Below beyond the seed noise, as every verdict.

    C5 has two: the train/validation gap without augmentation against with it (the paper's
    "substantial overfitting"), and the top-1 error with PCA lighting against without it
    (the paper's "over 1%"). Values are fractions, shown in points.
    """
    few = _too_few(claim, lower, higher)
    if few:
        return few | {"part": what}
    effect = higher.mean - lower.mean
    se = _se(lower, higher)
    said = (
        f"{what}: {lower.label} {100 * lower.mean:.2f} ± {100 * lower.std:.2f}%, {higher.label} "
        f"{100 * higher.mean:.2f} ± {100 * higher.std:.2f}% ({100 * effect:+.2f} points; "
        f"the paper: {paper})"
    )
    verdict, words = _direction(effect, se)
    return {"part": what, "verdict": verdict, "effect": effect, "reason": f"{said}: {words}."}
