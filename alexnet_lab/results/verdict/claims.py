"""The paper's claims C1..C7 (docs/claims.md), each whole: what it compares, how it is judged.

A :class:`Claim` names the config key its arms vary, the favoured and baseline arms, the
:class:`~alexnet_lab.results.verdict.metrics.Metric` the verdict reads, the keys tuned per arm, its
secondary comparisons (:class:`Part`) and, where the arms are test views of the same weights,
those views. ``results/`` loops over claims and metrics and never branches on a claim's id.
Adding a claim is one :func:`register_claim` call (here, or in any module or test) plus an
experiment config. The thresholds are fixed from the claims' own words and the paper's numbers,
never tuned: a ratio claim's factor, and a difference claim's effect as the paper reports it
for the data set in use (:meth:`Claim.effect_for`), of which :data:`EQUIVALENCE_FRACTION` is
the margin: an effect the interval puts wholly below it is not the paper's finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alexnet_lab.results.verdict.metrics import (
    BEST_VAL_EPOCH,
    EPOCHS_TO_TARGET,
    TOP1_ERROR,
    TRAIN_VAL_GAP,
    Metric,
)

REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE = "reproduced", "not reproduced", "inconclusive"
#: "not reproduced" needs the interval to exclude effects this fraction of the paper's size:
#: half the paper's effect is the smallest that would still be the paper's finding in kind
#: (an effect at half the reported size would be called "reproduced, smaller than the
#: paper's"; one that excludes half of it is too small to be what the paper saw)
EQUIVALENCE_FRACTION = 0.5


@dataclass(frozen=True)
class Part:
    """A secondary comparison of a claim: is ``better``'s metric below ``worse``'s.

    ``better`` and ``worse`` list arm labels; the first that ran stands for the side.
    """

    what: str
    metric: Metric
    better: tuple[str, ...]
    worse: tuple[str, ...]
    paper: str
    #: the paper's effect in the metric's units (positive: ``better`` lower), where it gives one
    paper_effect: float | None = None


@dataclass(frozen=True)
class Claim:
    """One claim of the paper: the key its arms vary, the arms, the metric, how it is judged."""

    id: str
    title: str
    section: str
    #: the config group (or override key) whose values are the arms
    key: str
    favoured: str
    baseline: str
    metric: Metric
    paper: str
    #: a ratio claim ("several times faster"): favoured must beat baseline by this factor
    min_ratio: float | None = None
    #: the paper's own factor for a ratio claim (C1: ~6x), which the verdict says whether the
    #: interval reaches; the verdict itself rests on ``min_ratio``
    paper_ratio: float | None = None
    #: keys tuned per arm, the best value winning, when the experiment names none
    select_keys: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()
    #: the arms are test views of the same trained weights (``final.tests`` of a record)
    test_views: tuple[str, ...] = ()
    #: the paper's effect in the metric's units, positive in the paper's direction (a
    #: difference claim), where the paper gives a number
    paper_effect: float | None = None
    #: where :attr:`paper_effect` was measured (said when the runs used another data set)
    effect_measured_on: str = "ImageNet (ILSVRC-2010/2012) with the paper's net"
    #: the paper's effect on other data sets it reports, by data set name (``data.name``):
    #: the margin for runs on that data set comes from that number
    paper_effects: tuple[tuple[str, float], ...] = ()
    #: judge paired differences per run (arms measured on the same runs); default: test views
    paired: bool | None = None
    #: the favoured arm's value in the paper's own run (C1: ReLU reached 25% in ~6 epochs),
    #: which the budget check assumes before a sweep starts
    paper_favoured: float | None = None
    #: the runs of another claim's sweep this claim can be read off, as (dotted record key,
    #: value) pairs every such run matches (C7: runs trained on random crops, tested on both
    #: views: ``alexnet-lab-report SWEEP --claim C7``); empty: only its own sweeps
    read_off_runs: tuple[tuple[str, Any], ...] = ()

    @property
    def is_paired(self) -> bool:
        """Whether the arms are judged on paired differences (views of the same weights)."""
        return bool(self.test_views) if self.paired is None else self.paired

    def effect_for(self, data: str | None) -> tuple[float | None, str]:
        """The paper's effect for runs on ``data`` (a ``data.name``) and where it was measured.

        The data set's own number where the paper gives one (C2 on CIFAR-10: 2 points), else
        :attr:`paper_effect` with a note that it was measured on another data set and net
        (empty when the runs used ImageNet itself, or the claim gives no number).
        """
        own = dict(self.paper_effects)
        if data in own:
            return own[data], ""
        if self.paper_effect is None or data == "imagenet":
            return self.paper_effect, ""
        return self.paper_effect, (
            f"the paper's size was measured on {self.effect_measured_on}, not on "
            f"{data or 'these data'}"
        )


CLAIMS: dict[str, Claim] = {}
CLAIM_BY_KEY: dict[str, Claim] = {}


def register_claim(claim: Claim, replace: bool = False) -> Claim:
    """Add ``claim`` to :data:`CLAIMS` and :data:`CLAIM_BY_KEY`; returns it.

    Raises ``ValueError`` when its id or key is taken by another claim, unless ``replace``.
    """
    taken = CLAIMS.get(claim.id) or CLAIM_BY_KEY.get(claim.key)
    if taken is not None and taken != claim and not replace:
        raise ValueError(f"claim {claim.id} (key {claim.key}) clashes with {taken.id}")
    unregister_claim(claim.id)
    CLAIMS[claim.id] = claim
    CLAIM_BY_KEY[claim.key] = claim
    return claim


def unregister_claim(claim_id: str) -> None:
    """Remove a registered claim (a test's own claim, once the test is done)."""
    claim = CLAIMS.pop(claim_id, None)
    if claim is not None and CLAIM_BY_KEY.get(claim.key) == claim:
        del CLAIM_BY_KEY[claim.key]


def view_claim(views: set[str]) -> Claim | None:
    """The claim whose arms are test views, all of them among ``views``."""
    for claim in CLAIMS.values():
        if claim.test_views and set(claim.test_views) <= views:
            return claim
    return None


for _claim in (
    Claim(
        "C1",
        "ReLU trains several times faster than tanh",
        "3.1, Figure 1",
        "activation",
        "relu",
        "tanh",
        EPOCHS_TO_TARGET,
        "~6x fewer epochs to 25% training error (four-layer net, CIFAR-10)",
        min_ratio=2.0,
        paper_ratio=6.0,
        select_keys=("optim.lr",),  # "learning rate chosen independently for each activation"
        paper_favoured=5.0,  # Figure 1: ReLU at 25% around epoch 5-6 (the best case)
    ),
    Claim(
        "C2",
        "Local response normalization helps",
        "3.3",
        "norm",
        "lrn",
        "none",
        TOP1_ERROR,
        "top-1/top-5 error -1.4%/-1.2% (ILSVRC); CIFAR-10 test error 13% -> 11%",
        paper_effect=0.014,  # ILSVRC top-1; on CIFAR-10 the paper's 2 points (13% -> 11%)
        paper_effects=(("cifar10", 0.02),),
    ),
    Claim(
        "C3",
        "Overlapping pooling helps",
        "3.4",
        "pooling",
        "overlap",
        "nonoverlap",
        TOP1_ERROR,
        "top-1/top-5 error -0.4%/-0.3% (ILSVRC)",
        paper_effect=0.004,
    ),
    Claim(
        "C4",
        "Dropout prevents overfitting",
        "4.2",
        "dropout",
        "on",
        "off",
        TRAIN_VAL_GAP,  # the claim is about overfitting, not about the final error
        "without dropout 'substantial overfitting'; with it ~2x the iterations to converge",
        parts=(
            Part(
                "test top-1 error",
                TOP1_ERROR,
                better=("on",),
                worse=("off",),
                paper="dropout is used for its lower test error (no number for it alone)",
            ),
            Part(
                "convergence (epoch of the best validation error, later with dropout)",
                BEST_VAL_EPOCH,
                better=("off",),
                worse=("on",),
                paper="with dropout ~2x the iterations to converge",
            ),
        ),
    ),
    Claim(
        "C5",
        "Data augmentation prevents overfitting",
        "4.1",
        "augmentation",
        "paper",
        "none",
        TRAIN_VAL_GAP,  # the claim is about overfitting, as C4's
        "without crops 'substantial overfitting'; PCA lighting -1% top-1",
        parts=(
            Part(
                "test top-1 error",
                TOP1_ERROR,
                better=("paper", "crop_flip"),
                worse=("none",),
                paper="augmentation is used for its lower test error (no number for crops alone)",
            ),
            Part(
                "PCA lighting (top-1 error with it, paper, against crop_flip)",
                TOP1_ERROR,
                better=("paper",),
                worse=("crop_flip",),
                paper="PCA lighting lowers top-1 error by over 1%",
                paper_effect=0.01,
            ),
        ),
    ),
    Claim(
        "C6",
        "Two GPU towers beat one tower with half the kernels",
        "3.2",
        "towers",
        "two",
        "one",
        TOP1_ERROR,
        "top-1/top-5 error -1.7%/-1.2% (ILSVRC)",
        paper_effect=0.017,
    ),
    Claim(
        "C7",
        "Ten-patch test-time averaging helps",
        "4.1",
        "tta",
        "ten_crop",
        "center",
        TOP1_ERROR,
        "ILSVRC-2010 test top-1/top-5 37.5%/17.0% with it, 39.0%/18.3% without",
        test_views=("center", "ten_crop"),
        paper_effect=0.015,  # 39.0% -> 37.5% top-1
        read_off_runs=(("data.augmentation.random_crop", True),),
    ),
):
    register_claim(_claim)
