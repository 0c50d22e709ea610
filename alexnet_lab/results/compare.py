"""A sweep's run records -> arms x settings x seeds, with the per-arm selection of e.g. the lr.

The overrides of the records say what varied. Of the varying keys: the *arm key* is the claim's
group (``activation`` for C1); *select keys* are tuned per arm, the best value winning
(Figure 1's "learning rate chosen independently for each activation"); *replicate keys* (the
seed) repeat a run; every other varying key is a *setting* (init, data.scale, ...), within
which the arms are compared.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from alexnet_lab.overrides import parse_overrides
from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.arms import ArmResult, Comparison, SettingResult
from alexnet_lab.results.claims import CLAIM_BY_KEY, CLAIMS, Claim, view_claim
from alexnet_lab.results.intervals import ArmStats
from alexnet_lab.results.metrics import FINAL_TRAIN_ERROR, REPORTED, TOP1_ERROR, Metric
from alexnet_lab.results.setting_verdict import judge_setting

__all__ = [
    "EXECUTION_KEYS",
    "ArmResult",
    "Comparison",
    "SettingResult",
    "compare",
    "expand_test_views",
    "infer_arm_key",
    "parse_overrides",
    "run_params",
    "varying_keys",
]

OK_STATUSES = ("completed",)
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


def run_params(record: RunRecord) -> dict[str, str]:
    """What a run computed: its overrides less :data:`EXECUTION_KEYS`, plus ``global_batch``.

    ``global_batch`` comes from the record (``settings.global_batch_size``) where it says.
    """
    params = {k: v for k, v in parse_overrides(record.overrides).items() if k not in EXECUTION_KEYS}
    if record.global_batch is not None:
        params["global_batch"] = str(record.global_batch)
    return params


def varying_keys(params: list[dict[str, str]]) -> list[str]:
    """Override keys whose value differs between runs, in first-seen order."""
    keys: list[str] = []
    for p in params:
        keys += [k for k in p if k not in keys]
    return [k for k in keys if len({p.get(k) for p in params}) > 1]


def infer_arm_key(varying: list[str], requested: str | None) -> str:
    """The claim's key if one varies (or the requested one), else all varying keys together."""
    if requested:
        return requested
    for key in varying:
        if key in CLAIM_BY_KEY:
            return key
    return ",".join(varying) if varying else "(none)"


def compare(
    records: Sequence[RunRecord | Mapping[str, Any]],
    claim_id: str | None = None,
    arm_key: str | None = None,
    select_keys: Sequence[str] = (),
    replicate_keys: Sequence[str] = ("seed",),
) -> Comparison:
    """Group a sweep's records into settings and arms, select per arm, judge per setting.

    ``select_keys`` default to the claim's (:attr:`Claim.select_keys`).
    """
    claim = CLAIMS.get(claim_id or "") or CLAIM_BY_KEY.get(arm_key or "")
    runs = expand_test_views([RunRecord.coerce(r) for r in records], claim)
    params = [run_params(r) for r in runs]
    varying = varying_keys(params)
    if claim is None:  # no claim named: the first varying key that belongs to one
        claim = CLAIM_BY_KEY.get(infer_arm_key(varying, arm_key).split(",")[0])
    select = list(select_keys) or list(claim.select_keys if claim else ())
    candidates = [k for k in varying if k not in select and k not in replicate_keys]
    arm_key = infer_arm_key(candidates, arm_key or (claim.key if claim else None))
    arm_parts = arm_key.split(",")
    setting_keys = [k for k in candidates if k not in arm_parts]
    metric = claim.metric if claim else TOP1_ERROR

    grouped: dict[tuple, dict[str, dict[tuple, list[RunRecord]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for record, p in zip(runs, params, strict=True):
        setting = tuple((k, p.get(k, "-")) for k in setting_keys)
        arm = ",".join(p.get(k) or record.choice(k) or "-" for k in arm_parts)
        selection = tuple((k, p.get(k, "-")) for k in select)
        grouped[setting][arm][selection].append(record)

    metrics = _metrics(claim, metric)
    settings = []
    for setting, arms in grouped.items():
        results = [_select(label, by_sel, metrics, select) for label, by_sel in arms.items()]
        results.sort(key=lambda a: _arm_order(claim, a.label))
        settings.append(SettingResult(dict(setting), results, _verdict(claim, results)))
    return Comparison(claim, arm_key, select, setting_keys, metric, settings, runs)


def expand_test_views(records: list[RunRecord], claim: Claim | None = None) -> list[RunRecord]:
    """One record per test view for runs tested several ways (a claim with ``test_views``).

    The copies share the run's history and differ in ``final.test`` and in a ``<key>=<view>``
    override (the claim's key), so the views become the arms of an ordinary comparison: the
    same trained weights, evaluated each way. Without a claim, the registered claim whose
    test views the records hold decides.
    """
    views = {v for r in records if len(r.test_views) > 1 for v in r.test_views}
    if not views:
        return records
    claim = claim if claim is not None and claim.test_views else view_claim(views)
    if claim is None:
        return records
    expanded = []
    for record in records:
        if len(record.test_views) < 2:
            expanded.append(record)
        else:
            expanded += [record.with_test_view(view, claim.key) for view in record.test_views]
    return expanded


def _metrics(claim: Claim | None, metric: Metric) -> list[Metric]:
    """The claim's metric, the reported ones, and those its parts judge, once each."""
    wanted = [metric, *REPORTED, *(part.metric for part in (claim.parts if claim else ()))]
    return list({m.name: m for m in wanted}.values())


def _arm_order(claim: Claim | None, label: str) -> tuple[int, str]:
    if claim and label == claim.favoured:
        return (0, label)
    if claim and label == claim.baseline:
        return (1, label)
    return (2, label)


def _rank(metric: Metric, stats: ArmStats, train: ArmStats, runs: list[RunRecord]) -> tuple:
    """Lower is better: the mean with each diverged run at the worst value, then the rest.

    For choosing an lr only: a run that diverged before it had a value counts as the worst
    the measure allows (the budget + 1 epochs, or an error of 1), so one survivor of a value
    that mostly diverges does not make it the best; the verdict leaves such runs out. Then
    the censored share and the final running training error break ties.
    """
    if not stats.n:
        return (math.inf, math.inf, math.inf)
    values = list(stats.values)
    for record in runs:
        if record.status == "diverged" and metric.value(record)[0] is None:
            values.append(record.max_epochs + 1.0 if metric.resolution else 1.0)
    mean = sum(values) / len(values)
    sign = 1.0 if metric.lower_is_better else -1.0
    return (sign * mean, stats.censored / stats.n, train.mean if train.n else 1.0)


def _select(
    label: str, by_sel: dict[tuple, list[RunRecord]], metrics: list[Metric], select_keys: list[str]
) -> ArmResult:
    metric = metrics[0]
    stats = {s: metric.stats(label, runs) for s, runs in by_sel.items()}
    train = {s: FINAL_TRAIN_ERROR.stats(label, runs) for s, runs in by_sel.items()}
    best_sel = min(by_sel, key=lambda s: _rank(metric, stats[s], train[s], by_sel[s]))
    runs = by_sel[best_sel]
    # the grid is what was measured: a value whose runs are all unfinished (interrupted,
    # still running) says nothing yet, so it cannot bracket the chosen one; a diverged run
    # does (that value was too large)
    measured = [s for s in by_sel if stats[s].n or any(r.status == "diverged" for r in by_sel[s])]
    grid: dict[str, list[str]] = {}
    at_edge = []
    for i, key in enumerate(select_keys):
        values = sorted({s[i][1] for s in measured or by_sel}, key=_numeric)
        grid[key] = values
        if len(values) > 1 and best_sel[i][1] in (values[0], values[-1]):
            at_edge.append(key)
    return ArmResult(
        label=label,
        selected=dict(best_sel),
        stats=stats[best_sel],
        by_metric={m.name: m.stats(label, runs) for m in metrics},
        statuses=dict(Counter(r.status for r in runs)),
        runs=runs,
        others={_sel_label(s): rs for s, rs in by_sel.items() if s != best_sel},
        grid=grid,
        at_edge=at_edge,
        not_learning=sum(r.did_not_learn for r in runs),
    )


def _verdict(claim: Claim | None, arms: list[ArmResult]) -> dict[str, Any] | None:
    return judge_setting(claim, arms) if claim is not None else None


def _sel_label(selection: tuple) -> str:
    return ", ".join(f"{k}={v}" for k, v in selection)


def _numeric(value: str) -> tuple[int, float | str]:
    try:
        return (0, float(value))
    except ValueError:
        return (1, value)
