"""What a verdict or a table measures: each :class:`Metric` reads itself from a run record.

A metric knows how to read its value from a :class:`RunRecord` (and whether that value is
censored: a lower bound), its label and format, whether lower is better, and the resolution
of the measure (epochs are integers). Nothing in ``results/`` names a metric by its string.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from alexnet_lab.record.run_record import RunRecord, number
from alexnet_lab.results.verdict.intervals import ArmStats

#: a value and whether it is censored (a lower bound), or ``(None, False)`` when there is none
Reading = tuple[float | None, bool]


@dataclass(frozen=True)
class Metric:
    """One measure of a run: how to read it, how to show it, which direction is better."""

    #: the key in summary.json (``<name>_mean``, ``<name>_std``)
    name: str
    #: in a sentence: "top-1 error"
    label: str
    #: the table's column; ``{target}`` is the target error in percent
    column: str
    read: Callable[[RunRecord], Reading]
    #: shown value = value x scale, with ``decimals`` and ``unit`` ("%", " pts", "")
    scale: float = 100.0
    decimals: int = 2
    unit: str = "%"
    #: a signed quantity (the train/validation gap) shows its sign
    signed: bool = False
    lower_is_better: bool = True
    #: the measure's step (1 for epochs): a value k stands for (k - resolution, k]
    resolution: float = 0.0
    #: a difference of two values in words: "points", "epochs"
    effect_unit: str = "points"
    #: what the better arm is: "better", "faster"
    better_word: str = "better"
    #: how a censored value counts, said in the report
    censored_means: str = ""

    def value(self, record: RunRecord) -> Reading:
        """The run's value and whether it is censored."""
        return self.read(record)

    def stats(self, label: str, records: Iterable[RunRecord]) -> ArmStats:
        """The arm's values over its runs; runs without a value are left out and named.

        A censored value of a run that stopped before its budget (interrupted, still running,
        failed) is counted as ``unfinished``.
        """
        values, flags, keys, missing, unfinished, budget = [], [], [], [], 0, 0
        for record in records:
            budget = max(budget, record.max_epochs)
            value, is_censored = self.read(record)
            if value is None:
                why = record.status if not record.completed else f"{self.label} missing"
                missing.append(f"{run_name(record)} ({why})")
                continue
            values.append(value)
            flags.append(is_censored)
            keys.append(record.run_id)
            unfinished += is_censored and not record.completed
        return ArmStats(label, values, resolution=self.resolution, flags=flags, keys=keys,
                        left_out=len(missing), missing=missing,
                        unfinished=unfinished, budget=budget)  # fmt: skip

    def amount(self, value: float, signed: bool = False) -> str:
        """``value`` in the metric's shown scale, without unit."""
        sign = "+" if signed else ""
        return f"{self.scale * value:{sign}.{self.decimals}f}"

    def cell(self, stats: ArmStats) -> str:
        """``mean ± std`` over seeds with the unit (``>`` when some runs are censored)."""
        if not stats.n:
            return "n/a"
        ge = ">" if stats.censored else ""
        return f"{ge}{self.amount(stats.mean, self.signed)} ± {self.amount(stats.std)}{self.unit}"

    def heading(self, target: float | None) -> str:
        """The table column's title."""
        return self.column.format(target=100 * (target or 0))

    def difference(self, value: float) -> str:
        """A difference of two values in words: ``+1.20 points``."""
        return f"{self.amount(value, signed=True)} {self.effect_unit}"


def run_name(record: RunRecord) -> str:
    """How a verdict names a run: ``seed 3`` (its folder's name when it has no seed)."""
    if record.seed is not None:
        return f"seed {record.seed}"
    where = record.output_dir or record.path
    return Path(where).name if where else "a run"


def _completed(read: Callable[[RunRecord], float | None]) -> Callable[[RunRecord], Reading]:
    """A reader of final values: only a completed run has them; NaN or null is missing."""

    def reading(record: RunRecord) -> Reading:
        return (number(read(record)) if record.completed else None), False

    reading.__doc__ = read.__doc__
    return reading


#: statuses of runs that stopped before their budget without a verdict on their speed: their
#: epochs to the target exceed the epochs they ran (right-censored there)
STOPPED = ("interrupted", "running", "failed")


def _epochs_to_target(record: RunRecord) -> Reading:
    """The first epoch at or below the target, else a lower bound at the last epoch, or nothing.

    Censoring wherever a run stops: a completed run that never got there (its budget ran
    out), and an interrupted, still running or failed one that had not got there yet, are
    right-censored at the last epoch they ran (the true value lies above it). A diverged run
    says nothing of its arm's speed (its lr was too large), nor does one without an epoch.
    """
    if record.epochs_to_target is not None:
        return float(record.epochs_to_target), False
    if record.completed:
        return float(len(record.history) or record.max_epochs), True
    if record.status in STOPPED and record.history:
        return float(len(record.history)), True
    return None, False


def _gap(record: RunRecord) -> float | None:
    """Final validation error minus the final training error in eval mode (overfitting).

    ``train_eval_error``: no dropout, the centre view, no lighting, on a fixed subset of the
    training set, so that dropout and augmentation do not raise the training side themselves.
    A record without it has no gap (never the running training error in its place).
    """
    val, train = record.last("val_error"), record.last("train_eval_error")
    return None if val is None or train is None else val - train


def _best_epoch(record: RunRecord) -> float | None:
    """The epoch of the best validation error."""
    return record.best.get("epoch")


def _final_train_error(record: RunRecord) -> Reading:
    """The last epoch's running training error, whatever the run's status."""
    return record.last("train_error"), False


def _final_train_eval_error(record: RunRecord) -> Reading:
    """The last epoch's training error in eval mode (``train_eval_error``), any status."""
    return record.last("train_eval_error"), False


EPOCHS_TO_TARGET = Metric(
    name="epochs_to_target",
    label="epochs to the target",
    column="epochs to {target:.0f}% train error",
    read=_epochs_to_target,
    scale=1.0,
    decimals=1,
    unit="",
    resolution=1.0,
    effect_unit="epochs",
    better_word="faster",
    censored_means="a completed run that never reached the target within its B epochs counts "
    "as more than B epochs (a lower bound, so an interval it touches is open on that side), "
    "and so does an interrupted, still running or failed run at the epochs it ran; diverged "
    "runs that had not reached it are left out and named",
)
TOP1_ERROR = Metric(
    name="top1_error",
    label="top-1 error",
    column="test top-1",
    read=_completed(lambda r: r.test_error(1)),  # the test result only, never validation
)
TOP5_ERROR = Metric(
    name="top5_error",
    label="top-5 error",
    column="test top-5",
    read=_completed(lambda r: r.test_error(5)),
)
TRAIN_VAL_GAP = Metric(
    name="train_val_gap",
    label="train/validation gap (validation minus eval-mode training error)",
    column="train/val gap",
    read=_completed(_gap),
    unit=" pts",
    signed=True,
)
BEST_VAL_EPOCH = Metric(
    name="best_val_epoch",
    label="epoch of the best validation error",
    column="best val epoch",
    read=_completed(_best_epoch),
    scale=1.0,
    decimals=1,
    unit="",
    resolution=1.0,
    effect_unit="epochs",
)
FINAL_TRAIN_ERROR = Metric(
    name="final_train_error",
    label="final running training error",
    column="final train error",
    read=_final_train_error,
)
FINAL_TRAIN_EVAL_ERROR = Metric(
    name="final_train_eval_error",
    label="final training error in eval mode",
    column="final train error (eval)",
    read=_final_train_eval_error,
)
#: the per-arm columns of every report, after the claim's own metric
REPORTED = (
    FINAL_TRAIN_ERROR,
    FINAL_TRAIN_EVAL_ERROR,
    TOP1_ERROR,
    TOP5_ERROR,
    TRAIN_VAL_GAP,
    BEST_VAL_EPOCH,
)
