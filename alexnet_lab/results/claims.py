"""The paper's claims C1..C7 (paper.md), each whole: what it compares and how it is judged.

A :class:`Claim` names the config key its arms vary, the favoured and baseline arms, the
:class:`~alexnet_lab.results.metrics.Metric` the verdict reads, the keys tuned per arm, its
secondary comparisons (:class:`Part`) and, where the arms are test views of the same weights,
those views. ``results/`` loops over claims and metrics and never branches on a claim's id.
Adding a claim is one :func:`register_claim` call (here, or in any module or test) plus an
experiment config. The thresholds are fixed from the claims' own words, never tuned.
"""

from __future__ import annotations

from dataclasses import dataclass

from alexnet_lab.results.metrics import EPOCHS_TO_TARGET, TOP1_ERROR, TRAIN_VAL_GAP, Metric

REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE = "reproduced", "not reproduced", "inconclusive"


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
    #: keys tuned per arm, the best value winning, when the experiment names none
    select_keys: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()
    #: the arms are test views of the same trained weights (``final.tests`` of a record)
    test_views: tuple[str, ...] = ()


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
        select_keys=("optim.lr",),  # "learning rate chosen independently for each activation"
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
    ),
    Claim(
        "C4",
        "Dropout prevents overfitting",
        "4.2",
        "dropout",
        "on",
        "off",
        TOP1_ERROR,
        "without dropout 'substantial overfitting'; with it ~2x the iterations to converge",
    ),
    Claim(
        "C5",
        "Data augmentation prevents overfitting",
        "4.1",
        "augmentation",
        "paper",
        "none",
        TOP1_ERROR,
        "without crops 'substantial overfitting'; PCA lighting -1% top-1",
        parts=(
            Part(
                "overfitting (final validation minus running training error)",
                TRAIN_VAL_GAP,
                better=("paper", "crop_flip"),
                worse=("none",),
                paper="without augmentation 'substantial overfitting'",
            ),
            Part(
                "PCA lighting (top-1 error with it, paper, against crop_flip)",
                TOP1_ERROR,
                better=("paper",),
                worse=("crop_flip",),
                paper="PCA lighting lowers top-1 error by over 1%",
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
    ),
):
    register_claim(_claim)
