"""The one rule order of a difference claim, and whether its arms are judged paired.

A tiny true effect must not drift from ``not reproduced`` to ``reproduced`` as seeds narrow
its interval: an interval wholly below the margin (half the paper's effect) is ``not
reproduced`` before "above 0" is asked.
"""

from __future__ import annotations

from alexnet_lab.results.verdict.claims import EQUIVALENCE_FRACTION, NOT_REPRODUCED, REPRODUCED
from alexnet_lab.results.verdict.intervals import ArmStats, Interval
from alexnet_lab.results.verdict.metrics import Metric

#: runs per arm an interval needs
MIN_SEEDS = 2


def difference_rule(
    metric: Metric, interval: Interval, margin: float | None, paper_effect: float | None
) -> tuple[str | None, str]:
    """The one rule order of a difference: opposite side, below the margin, above 0.

    ``not reproduced`` first when the interval lies wholly below 0 or wholly below the margin
    (half the paper's effect), so that a tiny true effect stays ``not reproduced`` however many
    seeds narrow its interval; ``reproduced`` needs it above 0 and not wholly below the margin.
    The words say which end decided. None (undecided) otherwise.
    """
    half = f"{EQUIVALENCE_FRACTION:g} of the paper's ({metric.difference(margin or 0.0)})"
    top = metric.amount(interval.high, signed=True)
    if interval.high < 0:
        return NOT_REPRODUCED, "The opposite direction holds beyond the seed noise."
    if margin is not None and interval.high < margin:
        if interval.low > 0:
            return NOT_REPRODUCED, (
                f"A real but much smaller effect than the paper's: the interval lies above 0 "
                f"but wholly below {half}; its top end ({top}) decided: too small to be the "
                f"paper's finding."
            )
        return NOT_REPRODUCED, (
            f"The interval excludes effects as large as {half}; its top end ({top}) decided: "
            f"too small to be the paper's finding."
        )
    if interval.low > 0:
        words = "The paper's direction holds beyond the seed noise"
        if margin is not None:
            side = "lies wholly above" if interval.low >= margin else "reaches"
            words += f", and the interval {side} {half} (its top end {top})"
        if paper_effect and interval.high < paper_effect:
            words += f"; smaller than the paper's {metric.difference(paper_effect)}"
        return REPRODUCED, words + "."
    return None, ""


def pairing_of(paired: bool, better: ArmStats, worse: ArmStats) -> tuple[bool, str]:
    """Paired when every run of both arms has both values, else the unpaired comparison.

    Views of the same weights are paired per run where both views exist for every run; where
    they were measured on separately trained runs, or some runs lack a view, the comparison is
    unpaired over what exists, and the second value says so (empty for unpaired claims).
    """
    if not paired:
        return False, ""
    shared = set(better.keys) & set(worse.keys)
    if shared == set(better.keys) == set(worse.keys):
        return True, "paired per run"
    alone = len(set(better.keys) ^ set(worse.keys))
    why = (
        "the views were measured on separately trained runs"
        if not shared
        else f"{alone} run{' lacks' if alone == 1 else 's lack'} a view"
    )
    return False, f"unpaired ({why})"
