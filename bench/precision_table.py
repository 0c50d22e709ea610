"""fp32 against bf16-mixed, run by run: the claims' measures paired by arm and seed, and judged.

The fp32 sweep is compared as its report compares it (``alexnet_lab.results.verdict.compare``:
the arms, and for C1 each arm's selected lr); its selected runs are the fp32 side. Each bf16
run is matched to the fp32 run of the same setting, arm, selected values and seed. What is
compared is what the claim measures: epochs to the target error where the claim's metric is
that (C1), else the final test top-1 error (the configured test view).

Per arm: the fp32 and bf16 values per seed, the mean of bf16 - fp32 over the pairs with a 95%
paired t interval (``paired_interval``: each epoch count k stands for (k - 1, k], as in every
report, and a run that never reached the target leaves its end open), and the seed noise, the
sample std of the fp32 arm's values across seeds. The rule (:func:`judge`), fixed before any
bf16 run of a claim was measured: bf16 is within the seed noise when every fp32 seed has its
bf16 pair, at least two pairs have values, the interval is closed, contains 0, and the mean
difference is no larger than the fp32 seed std (``|mean| <= std``). Otherwise "no" (a
difference shown, or larger than the noise) or "not judged" (pairs missing, too few, or an
open interval: the data cannot say). Runs that pair with nothing are named, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from alexnet_lab.record.files import read_records
from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.verdict.arms import ArmResult, Comparison
from alexnet_lab.results.verdict.compare import compare, expand_test_views
from alexnet_lab.results.verdict.intervals import ArmStats, Interval, paired_interval
from alexnet_lab.results.verdict.measured import as_measured
from alexnet_lab.results.verdict.metrics import EPOCHS_TO_TARGET, TOP1_ERROR, Metric, Reading
from alexnet_lab.results.verdict.replicates import distinct_runs, same_seed_once, sweep_params

BF16 = "bf16-mixed"
#: what a record of the fp32 side may say it ran in (none: written before precision was recorded,
#: when every run was fp32)
FP32 = ("32-true", "32", None)
#: the verdict column's answers
YES, NO, NOT_JUDGED = "yes", "no", "not judged"


def precision(record: RunRecord) -> str | None:
    """The precision a run trained in: its record's ``machine``, else its config, else None."""
    said = record.machine.get("precision") or (record.config.get("trainer") or {}).get("precision")
    return None if said is None else str(said)


def split_by_precision(
    records: list[RunRecord], wanted: tuple[str | None, ...]
) -> tuple[list[RunRecord], list[str]]:
    """The records that ran in one of ``wanted`` precisions, and the others in words."""
    kept, named = [], []
    for record in records:
        if precision(record) in wanted:
            kept.append(record)
        else:
            named.append(f"{where(record)} ran in {precision(record)}: left out")
    return kept, named


def where(record: RunRecord) -> str:
    """A record's job folder (or its file), as the table names it."""
    return str(record.output_dir or record.path or f"seed {record.seed}")


def compare_sweep(records: list[RunRecord]) -> Comparison:
    """The sweep compared as its own report compares it (claim, arms, select keys)."""
    first = records[0]
    return compare(
        records,
        claim_id=first.claim,
        arm_key=first.arm_group,
        select_keys=first.select_keys,
        replicate_keys=first.replicate_keys,
    )


def claim_measure(comparison: Comparison) -> Metric:
    """What the precision table compares: epochs to the target for C1's metric, else top-1."""
    return EPOCHS_TO_TARGET if comparison.metric.name == EPOCHS_TO_TARGET.name else TOP1_ERROR


def read_sweep(folder: Path, wanted: tuple[str | None, ...]) -> tuple[list[RunRecord], list[str]]:
    """A sweep folder's readable records in ``wanted`` precisions; the rest named in words."""
    records, unreadable = read_records(Path(folder))
    kept, named = split_by_precision(records, wanted)
    return kept, [f"{e.path}: unreadable ({e.reason})" for e in unreadable] + named


#: a group of runs: (setting, arm, selected values) as (key, value) pairs and the arm's label
Group = tuple[tuple[tuple[str, str], ...], str, tuple[tuple[str, str], ...]]


def group_of(comparison: Comparison, params: dict[str, str], record: RunRecord) -> Group:
    """The setting, arm and selection a run belongs to, read as ``compare`` reads them."""
    setting = tuple((k, params.get(k, "-")) for k in comparison.setting_keys)
    arm = ",".join(params.get(k) or record.choice(k) or "-" for k in comparison.arm_key.split(","))
    selection = tuple((k, params.get(k, "-")) for k in comparison.select_keys)
    return setting, arm, selection


@dataclass
class ArmPairs:
    """One arm of one claim: its fp32 runs (at the selected values) and their bf16 partners."""

    sweep: str
    claim: str
    arm: ArmResult
    setting: dict[str, str]
    measure: Metric
    #: seed -> (fp32 run, bf16 run); either may be None (unpaired)
    pairs: dict[int | None, tuple[RunRecord | None, RunRecord | None]]
    notes: list[str] = field(default_factory=list)

    @property
    def claim_label(self) -> str:
        """``C1 (c1_cpu)``: the claim and its sweep's folder (a claim may have several)."""
        return f"{self.claim} ({self.sweep})" if self.sweep else self.claim

    @property
    def label(self) -> str:
        """``relu (optim.lr=0.003)``, with the setting where the sweep has several."""
        chosen = ", ".join(f"{k}={v}" for k, v in {**self.setting, **self.arm.selected}.items())
        return f"{self.arm.label} ({chosen})" if chosen else self.arm.label


def pair_arms(
    fp32: list[RunRecord], bf16: list[RunRecord], sweep: str = ""
) -> tuple[list[ArmPairs], list[str]]:
    """Each fp32 arm's selected runs paired with the bf16 runs of the same group and seed.

    The second list names the bf16 runs that match no fp32 arm at its selected values, and
    the records of one bf16 run counted once.
    """
    comparison = compare_sweep(fp32)
    measure = claim_measure(comparison)
    distinct, said = distinct_runs([as_measured(r) for r in bf16])
    runs = expand_test_views(distinct, comparison.claim)
    groups: dict[Group, list[RunRecord]] = {}
    for record, params in zip(runs, sweep_params(runs), strict=True):
        groups.setdefault(group_of(comparison, params, record), []).append(record)
    arms = []
    claim = comparison.claim.id if comparison.claim else "-"
    for result in comparison.settings:
        for arm in result.arms:
            key = (tuple(result.setting.items()), arm.label, tuple(arm.selected.items()))
            partners, twice = same_seed_once(groups.pop(key, []))
            by_seed: dict[int | None, tuple[RunRecord | None, RunRecord | None]] = {
                r.seed: (r, None) for r in arm.runs
            }
            for record in partners:
                by_seed[record.seed] = (by_seed.get(record.seed, (None, None))[0], record)
            pairs = dict(sorted(by_seed.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))
            arms.append(ArmPairs(sweep, claim, arm, result.setting, measure, pairs, twice))
    unpaired = [
        f"{where(r)} (bf16: {', '.join(f'{k}={v}' for k, v in (*s, *sel))}, arm {a}) matches no "
        "fp32 arm at its selected values"
        for (s, a, sel), records in groups.items()
        for r in records
    ]
    return arms, said + unpaired


@dataclass
class ArmRow:
    """One row of the table: an arm's values per seed, the paired difference, the verdict."""

    pairs: ArmPairs
    fp32: dict[int | None, Reading]
    bf16: dict[int | None, Reading]
    interval: Interval | None
    std: float
    verdict: str
    reason: str


def arm_row(arm: ArmPairs) -> ArmRow:
    """Read each run's value, the paired interval of bf16 - fp32, the seed noise; judge."""
    read = arm.measure.read
    fp32 = {s: read(f) if f else (None, False) for s, (f, _) in arm.pairs.items()}
    bf16 = {s: read(b) if b else (None, False) for s, (_, b) in arm.pairs.items()}
    noise = stats("fp32", {s: v for s, v in fp32.items() if v[0] is not None}, arm.measure)
    both = [s for s in arm.pairs if fp32[s][0] is not None and bf16[s][0] is not None]
    interval = None
    if both:
        before = stats("fp32", {s: fp32[s] for s in both}, arm.measure)
        after = stats("bf16", {s: bf16[s] for s in both}, arm.measure)
        interval = paired_interval(before, after)  # after - before: bf16 - fp32
    missing = []
    for seed, (f, b) in arm.pairs.items():
        for side, run, value in (("fp32", f, fp32[seed]), ("bf16", b, bf16[seed])):
            if value[0] is None:
                why = "no run" if run is None else f"no value ({run.status})"
                missing.append(f"seed {seed}: {side} has {why}")
    verdict, reason = judge(len(both), missing, interval, noise.std, arm.measure)
    return ArmRow(arm, fp32, bf16, interval, noise.std, verdict, reason)


def stats(label: str, readings: dict[int | None, Reading], metric: Metric) -> ArmStats:
    """The readings as an arm's stats, keyed by seed so that the two sides pair."""
    return ArmStats(
        label,
        [v for v, _ in readings.values() if v is not None],
        resolution=metric.resolution,
        flags=[c for _, c in readings.values()],
        keys=[str(s) for s in readings],
    )


def judge(
    pairs: int, missing: list[str], interval: Interval | None, std: float, metric: Metric
) -> tuple[str, str]:
    """Whether bf16 is within the seed noise (the module's rule), and why, in ``metric``'s units."""
    if missing:
        return NOT_JUDGED, "; ".join(missing)
    if pairs < 2 or interval is None:
        return NOT_JUDGED, f"{pairs} pair(s): a paired interval needs two"
    if interval.one_sided:
        return NOT_JUDGED, "a run never reached the target: the interval is open"
    if not interval.low <= 0.0 <= interval.high:
        return NO, "the interval excludes 0"
    mean = f"the mean difference, {metric.amount(abs(interval.estimate))}"
    noise = f"the fp32 seed std, {metric.amount(std)} {metric.effect_unit}"
    if abs(interval.estimate) > std:
        return NO, f"{mean}, exceeds {noise}"
    return YES, f"the interval contains 0 and {mean}, is within {noise}"


def claim_verdicts(rows: list[ArmRow]) -> dict[str, str]:
    """Per claim: ``no`` where an arm says no, else ``not judged`` where one is, else ``yes``."""
    out: dict[str, str] = {}
    for row in rows:
        said = [out.get(row.pairs.claim_label, YES), row.verdict]
        out[row.pairs.claim_label] = next(v for v in (NO, NOT_JUDGED, YES) if v in said)
    return out
