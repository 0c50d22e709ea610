"""summary.json: the claim, what ran, per-arm numbers per setting, verdicts with intervals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.verdict.arms import Comparison, SettingResult
from alexnet_lab.results.verdict.compare import run_params

TRAIN_SIZE = "training images"


def what_ran(
    records: Sequence[RunRecord], exclude: Iterable[str] = (), replicate: Iterable[str] = ("seed",)
) -> dict[str, Any]:
    """The settings every verdict is conditional on, gathered from the records.

    ``fixed``: each setting the runs share (model, data, init, lr, ...), ``varied``: each key
    whose value differs between runs, with its values (the overrides' keys, and settings no
    override names); ``exclude`` (the arm key) is left out of ``fixed``, ``replicate`` (the
    seed) out of ``varied``: it has its own entry.
    """
    # a run tested several ways appears once per view (compare.expand_test_views)
    trained = list({r.run_id: r for r in records}.values())
    params = [run_params(r) for r in records]
    skip = set(replicate)
    varied: dict[str, list[Any]] = {}
    for key in dict.fromkeys(k for p in params for k in p):
        values = _distinct(p.get(key) for p in params)
        if len(values) > 1 and key not in skip:
            varied[key] = sorted(values, key=_order)
    named = {key.split(".")[-1] for key in [*varied, *exclude, *skip]}
    fixed: dict[str, Any] = {}
    table = [{**r.settings, TRAIN_SIZE: r.train_size} for r in trained]
    for key in dict.fromkeys(k for row in table for k in row):
        values = _distinct(row.get(key) for row in table)
        if key in named or values == [None]:
            continue
        if len(values) == 1:
            fixed[key] = values[0]
        elif not any(k.split(".")[-1] in key for k in varied):  # global_batch(_size)
            varied[key] = sorted(values, key=_order)
    return {
        "runs": len(trained),
        "statuses": dict(Counter(r.status for r in trained)),
        "seeds": sorted(_distinct(r.seed for r in trained), key=_order),
        "test_views": _distinct(r.tested_view for r in records if r.tested_view),
        "fixed": fixed,
        "varied": varied,
    }


def ran_values(ran: dict[str, Any], key: str) -> list[Any]:
    """The values a key took in a sweep (one when held fixed), from :func:`what_ran`.

    An override key held fixed is found under its setting's name, as :func:`what_ran` names
    it (``optim.lr`` -> ``lr``).
    """
    for name in dict.fromkeys((key, key.split(".")[-1])):
        if name in ran.get("fixed", {}):
            return [ran["fixed"][name]]
        if name in ran.get("varied", {}):
            return list(ran["varied"][name])
    return []


def summarise(comparison: Comparison, target: float | None, figures: list[str]) -> dict[str, Any]:
    """The JSON summary: claim, arms, per-arm numbers per setting, verdicts, paper's number."""
    claim = comparison.claim
    settings = [
        {
            "setting": s.setting,
            "label": s.label,
            "arms": [a.as_dict() for a in s.arms],
            "verdict": s.verdict,
        }
        for s in comparison.settings
    ]
    return {
        "claim": claim.id if claim else None,
        "claim_title": claim.title if claim else None,
        "paper": claim.paper if claim else None,
        "arm_key": comparison.arm_key,
        "arms": comparison.arm_labels,
        "select_keys": comparison.select_keys,
        "setting_keys": comparison.setting_keys,
        "metric": comparison.metric.name,
        "target_error": target,
        "what_ran": what_ran(comparison.records, exclude=comparison.arm_key.split(",")),
        "settings": settings,
        "counted_once": comparison.duplicates,
        "verdict": overall_verdict(comparison.settings),
        "failed_runs": [
            {"record": r.path, "status": r.status, "error": r.error}
            for r in comparison.records
            if not r.completed
        ],
        "not_learning_runs": [
            {
                "record": r.path,
                "overrides": list(r.overrides),
                "chance_error": r.chance_error,
                "last_train_error": r.last("train_error"),
            }
            for r in comparison.records
            if r.not_learning
        ],
        "figures": figures,
    }


def overall_verdict(settings: list[SettingResult]) -> dict[str, Any] | None:
    """One verdict when there is one setting; otherwise which settings show the effect."""
    judged = [s for s in settings if s.verdict]
    if not judged:
        return None
    if len(judged) == 1:
        return judged[0].verdict
    by_label: dict[str, list[str]] = {}
    for s in judged:
        by_label.setdefault(s.verdict["verdict"], []).append(s.label)  # type: ignore[index]
    parts = [f"{label} in {'; '.join(names)}" for label, names in by_label.items()]
    return {
        "verdict": "per setting",
        "by_verdict": by_label,
        "reason": "The paper's effect is " + " | ".join(parts) + ".",
    }


def _distinct(values: Iterable[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _order(value: Any) -> tuple[int, float | str]:
    try:
        return (0, float(value))
    except (TypeError, ValueError):
        return (1, str(value))
