"""Run records in tests, through the record's own type.

Tests read the records a run wrote with :func:`load_records` (``alexnet_lab.record``'s reader,
never ``json.loads`` on a ``record.json``) and build records with :func:`a_record`, so a new
field or a changed layout is met in one place. :func:`make_record` and :func:`a_tested_run`
shape a history for the report's tests and build through :func:`a_record`.

Tests that check the on-disk JSON itself (its format, NaN as strings, damaged files) read raw
on purpose; ``tests/unit/test_repository.py`` lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alexnet_lab.record.files import epochs_to_target, read_records
from alexnet_lab.record.run_record import RunRecord

#: the settings of a small CPU run: the report's tests judge records made of these
SMALL_RUN = {
    "model": "convnet4",
    "data": "synthetic",
    "init": "paper",
    "scale": "raw",
    "norm": "none",
    "lr": 0.01,
    "weight_decay": 0.0,
}


def load_records(folder: Path | str) -> list[RunRecord]:
    """Every run record below ``folder``, in job order (natural sort of the path).

    Read by ``alexnet_lab.record.files.read_records``; an unreadable record fails the test
    (its path and reason in the message) instead of being skipped.
    """
    records, unreadable = read_records(Path(folder))
    assert not unreadable, f"unreadable records: {[str(e) for e in unreadable]}"
    return records


def load_record(folder: Path | str) -> RunRecord:
    """The one run record below ``folder`` (a run's folder, or a sweep of one job)."""
    (record,) = load_records(folder)
    return record


def a_record(**fields: Any) -> RunRecord:
    """A run's record from ``fields`` (``RunRecord``'s own), as training would complete it.

    Defaults: ``status="completed"``; where a history is given, ``final["last"]`` is its last
    row and ``epochs_to_target`` its first epoch at ``target_error`` (as training computes
    them) unless ``fields`` say otherwise. Every other field keeps ``RunRecord``'s default.
    """
    fields.setdefault("status", "completed")
    history = fields.get("history") or []
    if history and "final" not in fields:
        fields["final"] = {"last": history[-1]}
    if history and "epochs_to_target" not in fields:
        fields["epochs_to_target"] = epochs_to_target(history, fields.get("target_error"))
    return RunRecord(**fields)


def make_record(
    overrides: list[str] | tuple[str, ...],
    seed: int,
    train_errors: list[float],
    top1: float = 0.3,
    status: str = "completed",
    target: float = 0.25,
    max_epochs: int | None = None,
    claim: str | None = None,
    select: tuple[str, ...] = ("optim.lr",),
) -> RunRecord:
    """A small CPU run (:data:`SMALL_RUN`) whose running training errors are ``train_errors``.

    Every epoch's validation error is ``top1``, and so is the test top-1 of the final weights.
    """
    history = [
        {
            "epoch": i + 1,
            "train_error": e,
            "val_error": top1,
            "val_top5_error": top1 / 3,
            "lr": 0.01,
            "seconds": 1.0,
        }
        for i, e in enumerate(train_errors)
    ]
    return a_record(
        overrides=list(overrides) + [f"seed={seed}"],
        seed=seed,
        claim=claim,
        status=status,
        target_error=target,
        report={"arm_group": None, "select_keys": list(select), "replicate_keys": ["seed"]},
        settings={**SMALL_RUN, "max_epochs": max_epochs or len(train_errors)},
        history=history,
        final={
            "last": history[-1] if history else {},
            "test": {"top1_error": top1, "top5_error": top1 / 3, "tta": "center"},
        },
        data={"train_size": 512},
    )


def curve(reach_epoch: int | None, length: int = 10) -> list[float]:
    """Training errors that first reach 0.25 at ``reach_epoch`` (None: never)."""
    return [0.2 if reach_epoch and e >= reach_epoch else 0.8 for e in range(1, length + 1)]


def a_tested_run(
    overrides: list[str],
    seed: int,
    top1: float,
    gap: float = 0.05,
    tests: dict[str, float] | None = None,
    status: str = "completed",
) -> RunRecord:
    """A 2-epoch AlexNet run on an image folder, tested at ``top1`` (or on each view of ``tests``).

    Its training error (running and eval-mode) sits ``gap`` under ``top1``.
    """
    history = [
        {
            "epoch": e,
            "train_error": top1 - gap,
            "train_eval_error": top1 - gap,
            "val_error": top1,
            "val_top5_error": top1 / 3,
        }
        for e in (1, 2)
    ]
    final: dict[str, Any] = {"last": history[-1], "best": {"epoch": 2, "val_error": top1}}
    final["test"] = {"top1_error": top1, "top5_error": top1 / 3}
    if tests:
        final["tests"] = {v: {"top1_error": e, "top5_error": e / 3} for v, e in tests.items()}
        final["test"] = final["tests"]["ten_crop"]
    return a_record(
        status=status,
        overrides=[*overrides, f"seed={seed}"],
        seed=seed,
        settings={"model": "alexnet", "data": "imagefolder", "max_epochs": 2, "tta": "ten_crop"},
        history=history,
        final=final,
        epochs_to_target=None,
        output_dir=f"run{seed}-{'-'.join(overrides)}",
    )
