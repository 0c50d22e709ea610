"""A run is what its numbers say: a completed run whose numbers went non-finite diverged.

Before a comparison reads a record, :func:`as_measured` sets its status from its history: a
run whose training loss or error, or validation loss or error, became NaN or infinite at
some epoch diverged at that epoch, whatever its status field says. Its history keeps the
epochs before; a target reached before it stays reached. Missing final numbers (null, NaN)
are left to the metrics, which leave such runs out and name them.
"""

from __future__ import annotations

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
        return record
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
