"""Replicates are runs that differ only in seed, in everything their records say.

What a run computed is its overrides (less where and how it executed) and every resolved
setting its record holds (init, input scale, budget, data size, model, ...), not only what the
command line changed: two runs that differ in any of these are separate settings, never one
arm. The same run counted twice (the same record reached twice, two records of one job, or
one configuration run twice with the same seed) counts once, and the report says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from alexnet_lab.overrides import parse_overrides
from alexnet_lab.record.run_record import RunRecord

#: Override keys that say where and how a run executes, not what it computes: never a setting,
#: so that arms launched on different machines or process layouts still meet in one comparison.
#: What the layout does change, the batch each step averages over, is compared instead as
#: ``global_batch`` (the per-process batch times the processes), read from the records.
EXECUTION_KEYS = frozenset(
    {
        "trainer",
        "trainer.accelerator",
        "trainer.devices",
        "trainer.num_nodes",
        "trainer.strategy",
        "trainer.channels_last",
        "trainer.enable_progress_bar",
        "trainer.enable_model_summary",
        "trainer.log_every_n_steps",
        "logger",
        "callbacks",
        "data.num_workers",
        "data.in_memory",
        "data.cache_dir",
        "resume",
    }
)
#: record settings that are not what a run computed: the per-process batch (the global batch
#: is compared) and the seed (the replicate key)
NOT_COMPARED = frozenset({"batch_size", "global_batch_size", "seed"})


def run_params(record: RunRecord) -> dict[str, str]:
    """What a run computed: its overrides less :data:`EXECUTION_KEYS`, plus ``global_batch``.

    ``global_batch`` comes from the record (``settings.global_batch_size``) where it says.
    """
    params = {k: v for k, v in parse_overrides(record.overrides).items() if k not in EXECUTION_KEYS}
    if record.global_batch is not None:
        params["global_batch"] = str(record.global_batch)
    return params


def sweep_params(records: Sequence[RunRecord]) -> list[dict[str, str]]:
    """Each run's :func:`run_params` plus every record setting no override of the sweep names.

    A setting is named by an override whose last part is its name (``optim.lr`` names
    ``lr``); the training images (``train_size``) and the target error count too. So two runs
    whose records differ in init, scale, budget or data size differ in their params even
    when no override says so.
    """
    params = [run_params(r) for r in records]
    named = {key.split(".")[-1] for p in params for key in p} | {"global_batch"}
    for p, record in zip(params, records, strict=True):
        recorded = {
            **record.settings,
            "train_size": record.train_size,
            "target_error": record.target_error,
        }
        for key, value in recorded.items():
            if key not in NOT_COMPARED and key not in named and value is not None:
                p[key] = str(value)
    return params


def distinct_runs(records: Sequence[RunRecord]) -> tuple[list[RunRecord], list[str]]:
    """One record per trained run, and what was counted once, in words.

    Records of one job (the same folder, or the same file reached twice) are one run: the
    most complete is kept (completed first, then the longest history).
    """
    kept: dict[str, RunRecord] = {}
    copies: dict[str, int] = {}
    for record in records:
        key = identity(record)
        copies[key] = copies.get(key, 0) + 1
        if key not in kept or completeness(record) > completeness(kept[key]):
            kept[key] = record
    said = [
        f"{_where(kept[key])}: {n} records of one run, counted once"
        for key, n in copies.items()
        if n > 1
    ]
    return list(kept.values()), said


def same_seed_once(runs: list[RunRecord]) -> tuple[list[RunRecord], list[str]]:
    """Runs of one arm and selection (so of one configuration) with a seed once each.

    Two runs of the same configuration and seed are the same run twice, not two replicates.
    """
    kept: dict[object, RunRecord] = {}
    said = []
    for record in runs:
        key = record.seed if record.seed is not None else identity(record)
        if key in kept:
            said.append(f"seed {record.seed} ran twice ({_where(record)}), counted once")
            if completeness(record) <= completeness(kept[key]):
                continue
        kept[key] = record
    return list(kept.values()), said


def identity(record: RunRecord) -> str:
    """What names one trained run: its job folder, else its record file, else the object."""
    if record.output_dir:
        return str(Path(record.output_dir))
    if record.path:
        return str(Path(record.path).resolve())
    return f"object {id(record)}"


def completeness(record: RunRecord) -> tuple[bool, int]:
    """Completed runs first, then the longer history."""
    return record.completed, len(record.history)


def _where(record: RunRecord) -> str:
    return record.output_dir or record.path or f"seed {record.seed}"
