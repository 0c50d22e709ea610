"""Small-n intervals: the t quantile, Welch's df, integer resolution, seeds a verdict needs."""

import math

import pytest

from alexnet_lab.results.verdict.claims import CLAIMS
from alexnet_lab.results.verdict.intervals import (
    ArmStats,
    difference_interval,
    ratio_interval,
    seeds_needed,
    t_quantile,
    welch_df,
)
from alexnet_lab.results.verdict.verdicts import judge


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [
        (0.975, 1, 12.706),
        (0.975, 2, 4.303),
        (0.975, 4, 2.776),
        (0.975, 10, 2.228),
        (0.975, 30, 2.042),
        (0.995, 3, 5.841),
        (0.95, 5, 2.015),
        (0.025, 4, -2.776),
        (0.975, math.inf, 1.960),
    ],
)
def test_t_quantile_matches_the_tables(p, df, expected):
    assert t_quantile(p, df) == pytest.approx(expected, abs=1e-3)


def test_welch_df_is_between_the_smaller_arm_and_the_pooled_df():
    assert welch_df([(1.0, 5), (1.0, 5)]) == pytest.approx(8.0)
    assert welch_df([(1.0, 3), (0.0, 10)]) == pytest.approx(2.0)  # one arm without spread
    assert 2.0 < welch_df([(1.0, 3), (0.5, 10)]) < 11.0


def test_zero_spread_in_epochs_is_not_certainty():
    # two seeds each at 5 and 6 epochs, spread 0: each count k stands for (k-1, k]
    relu, tanh = ArmStats("relu", [5, 5], resolution=1), ArmStats("tanh", [6, 6], resolution=1)
    interval = difference_interval(relu, tanh)
    assert interval.estimate == 1 and (interval.low, interval.high) == (0, 2)  # rounding alone
    ratio = ratio_interval(tanh, relu)
    assert ratio.estimate == pytest.approx(1.2)
    assert (ratio.low, ratio.high) == (pytest.approx(5 / 5), pytest.approx(6 / 4))
    verdict = judge(CLAIMS["C1"], ArmStats("relu", [5, 5]), ArmStats("tanh", [6, 6]))
    # 2x is still ruled out, but "relu is faster" is not claimed, and the interval is printed
    assert verdict["verdict"] == "not reproduced" and "below 2x" in verdict["reason"]
    assert "95% interval 1.00x to 1.50x" in verdict["reason"]
    # a continuous measure without spread has no rounding: its interval is a point
    exact = difference_interval(ArmStats("a", [0.2, 0.2]), ArmStats("b", [0.3, 0.3]))
    assert exact.low == exact.high == pytest.approx(0.1)


def test_seeds_needed_grows_as_the_effect_shrinks_against_the_spread():
    spreads = (0.01, 0.01)
    assert seeds_needed(0.05, spreads) == 2
    few, many = seeds_needed(0.02, spreads), seeds_needed(0.005, spreads)
    assert few is not None and many is not None and 2 < few < many
    assert seeds_needed(0.0, spreads) is None
    assert seeds_needed(1e-6, spreads) is None  # more than MAX_SEEDS


def test_an_inconclusive_verdict_says_how_many_seeds_would_settle_it():
    c3 = CLAIMS["C3"]
    verdict = judge(c3, ArmStats("overlap", [0.20, 0.215]), ArmStats("nonoverlap", [0.225, 0.235]))
    assert verdict["verdict"] == "inconclusive"
    needed = verdict["numbers"]["seeds_needed"]
    assert needed > 2 and f"about {needed} seeds per arm" in verdict["reason"]
    more = judge(
        c3,
        ArmStats("overlap", [0.20, 0.215] * needed),
        ArmStats("nonoverlap", [0.225, 0.235] * needed),
    )
    assert more["verdict"] == "reproduced"  # with that many seeds at this spread it is firm
