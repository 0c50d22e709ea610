"""A sweep's run records -> arms x settings x seeds, with the per-arm selection of e.g. the lr.

Each record is first read as its numbers say (:mod:`.measured`), and the same run reached twice
counts once; the overrides and every recorded setting say what varied (:mod:`.replicates`), so
replicates differ only in seed. Of the varying keys: the *arm key* is the claim's
group (``activation`` for C1); *select keys* are tuned per arm, the best value winning
(Figure 1's "learning rate chosen independently for each activation"); *replicate keys* (the
seed) repeat a run; every other varying key is a *setting* (init, data.scale, ...), within
which the arms are compared. The select keys' best value is chosen on the censored quantity
the verdict reads (:mod:`.selection`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from alexnet_lab.overrides import parse_overrides
from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.verdict.arms import ArmResult, Comparison, SettingResult
from alexnet_lab.results.verdict.claims import CLAIM_BY_KEY, CLAIMS, Claim, view_claim
from alexnet_lab.results.verdict.measured import as_measured
from alexnet_lab.results.verdict.metrics import REPORTED, TOP1_ERROR, Metric
from alexnet_lab.results.verdict.replicates import (
    EXECUTION_KEYS,
    distinct_runs,
    run_params,
    same_seed_once,
    sweep_params,
)
from alexnet_lab.results.verdict.selection import select_arm
from alexnet_lab.results.verdict.setting_verdict import judge_setting

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
    "differing_keys",
]


def differing_keys(params: list[dict[str, str]]) -> list[str]:
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
    distinct, duplicates = distinct_runs([as_measured(RunRecord.coerce(r)) for r in records])
    runs = expand_test_views(distinct, claim)
    params = sweep_params(runs)
    varying = differing_keys(params)
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

    for arms in grouped.values():
        for by_sel in arms.values():
            for selection, cell in by_sel.items():
                by_sel[selection], said = same_seed_once(cell)
                duplicates += said
    metrics = _metrics(claim, metric)
    settings = []
    for setting, arms in grouped.items():
        results = [select_arm(label, by_sel, metrics, select) for label, by_sel in arms.items()]
        results.sort(key=lambda a: _arm_order(claim, a.label))
        settings.append(SettingResult(dict(setting), results, _verdict(claim, results)))
    return Comparison(claim, arm_key, select, setting_keys, metric, settings, runs, duplicates)


def expand_test_views(records: list[RunRecord], claim: Claim | None = None) -> list[RunRecord]:
    """One record per test view for runs tested several ways (a claim with ``test_views``).

    The copies share the run's history and differ in ``final.test`` and in a ``<key>=<view>``
    override (the claim's key), so the views become the arms of an ordinary comparison: the
    same trained weights, evaluated each way. Without a claim, the registered claim whose
    test views the records hold decides; a named claim without test views (C5, whose runs are
    also tested on C7's views) keeps each run once, at its configured view.
    """
    views = {v for r in records if len(r.test_views) > 1 for v in r.test_views}
    if not views or (claim is not None and not claim.test_views):
        return records  # a claim of its own (C5's gap): each run's configured view, once
    claim = claim if claim is not None else view_claim(views)
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


def _verdict(claim: Claim | None, arms: list[ArmResult]) -> dict[str, Any] | None:
    return judge_setting(claim, arms) if claim is not None else None
