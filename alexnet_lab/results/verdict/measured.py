"""A run is what its numbers say: diverged where its numbers went non-finite, learning if it did.

A run that learned after a slow start is not "not learning" (:func:`learning_as_measured`).

Before a comparison reads a record, :func:`as_measured` sets its status from its history: a
run whose training loss or error, or validation loss or error, became NaN or infinite at
some epoch diverged at that epoch, whatever its status field says. Its history keeps the
epochs before; a target reached before it stays reached. Missing final numbers (null, NaN)
are left to the metrics, which leave such runs out and name them.
"""

from __future__ import annotations

from alexnet_lab.record.files import is_not_learning
from alexnet_lab.record.run_record import RunRecord, non_finite

#: the per-epoch numbers whose going non-finite means the run diverged
DIVERGING_KEYS = ("train_loss", "train_error", "val_loss", "val_error", "train_eval_error")


def non_finite_epoch(record: RunRecord) -> int | None:
    """The first epoch (1-based) with a non-finite loss or error, or None."""
    for i, row in enumerate(record.history):
        if any(non_finite(row.get(key)) for key in DIVERGING_KEYS):
            return int(row.get("epoch") or i + 1)
    return None


def as_measured(record: RunRecord) -> RunRecord:
    """``record``, or a copy that diverged where its numbers went non-finite (said in ``error``)."""
    epoch = non_finite_epoch(record)
    if epoch is None:
        return learning_as_measured(record)
    kept = [row for row in record.history if int(row.get("epoch") or 0) < epoch]
    reached = record.epochs_to_target
    was = f" (its record said {record.status})" if record.status != "diverged" else ""
    return record.replace(
        status="diverged",
        history=kept,
        epochs_to_target=reached if reached is not None and reached < epoch else None,
        stopped_at_target=record.stopped_at_target and reached is not None and reached < epoch,
        error=record.error or f"its loss or error became non-finite at epoch {epoch}{was}",
    )


def learning_as_measured(record: RunRecord) -> RunRecord:
    """``record``, its ``not_learning`` flag read again from its history by today's rule.

    A record keeps the flag its run last wrote; an older rule flagged a run whose slow start
    sat at chance for ``not_learning_patience`` epochs even after it learned.
    """
    chance, patience = record.chance_error, record.not_learning_patience
    if not chance or not patience or not record.history:
        return record
    flag = is_not_learning(record.history, float(chance), int(patience))
    return record if flag == record.not_learning else record.replace(not_learning=flag)
