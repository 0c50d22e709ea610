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
from dataclasses import dataclass, field
from typing import Any

from alexnet_lab.overrides import parse_overrides
from alexnet_lab.results.claims import CLAIM_BY_KEY, CLAIMS, ArmStats, Claim, judge, judge_part

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


def run_params(record: dict[str, Any]) -> dict[str, str]:
    """What a run computed: its overrides less :data:`EXECUTION_KEYS`, plus ``global_batch``.

    ``global_batch`` comes from the record (``settings.global_batch_size``) where it says.
    """
    params = {
        k: v
        for k, v in parse_overrides(record.get("overrides", [])).items()
        if k not in EXECUTION_KEYS
    }
    global_batch = (record.get("settings") or {}).get("global_batch_size")
    if global_batch is not None:
        params["global_batch"] = str(global_batch)
    return params


def varying_keys(params: list[dict[str, str]]) -> list[str]:
    """Override keys whose value differs between runs, in first-seen order."""
    keys: list[str] = []
    for p in params:
        keys += [k for k in p if k not in keys]
    return [k for k in keys if len({p.get(k) for p in params}) > 1]


def run_metric(record: dict[str, Any], metric: str) -> tuple[float | None, bool]:
    """A run's value of ``metric`` and whether it is censored (target never reached).

    Metrics: ``epochs_to_target``, ``top1_error`` / ``top5_error`` (test of the final weights),
    ``gap`` (final validation minus running training error), ``best_epoch`` (of validation).
    """
    if metric == "epochs_to_target":
        reached = record.get("epochs_to_target")
        if reached is not None:
            return float(reached), False
        if record.get("status") == "failed":
            return None, False
        budget = record.get("settings", {}).get("max_epochs", len(record.get("history", [])))
        return float(budget + 1), True
    if record.get("status") not in OK_STATUSES:
        return None, False
    final = record.get("final", {})
    history = record.get("history", [])
    if metric == "gap" and history and "val_error" in history[-1]:
        # overfitting: final validation error minus the final running training error
        return history[-1]["val_error"] - history[-1]["train_error"], False
    if metric == "best_epoch" and final.get("best"):
        return float(final["best"]["epoch"]), False
    if metric == "top1_error":
        test = final.get("test") or {}
        value = test.get("top1_error", final.get("last", {}).get("val_error"))
    elif metric == "top5_error":
        test = final.get("test") or {}
        value = test.get("top5_error", final.get("last", {}).get("val_top5_error"))
    else:
        value = final.get("last", {}).get(metric)
    return (float(value), False) if value is not None else (None, False)


@dataclass
class ArmResult:
    """One arm within one setting, at its selected value of the select keys."""

    label: str
    selected: dict[str, str]
    stats: ArmStats
    top1: ArmStats
    top5: ArmStats
    gap: ArmStats
    best_epoch: ArmStats
    statuses: dict[str, int]
    runs: list[dict[str, Any]]
    #: runs at the other, not selected values (the faint curves of the figure), by value
    others: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: select key -> grid of values tried, and whether the chosen one sits at an edge
    grid: dict[str, list[str]] = field(default_factory=dict)
    at_edge: list[str] = field(default_factory=list)
    not_learning: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "arm": self.label,
            "selected": self.selected,
            "n": self.stats.n,
            "metric_values": self.stats.values,
            "metric_mean": _num(self.stats.mean),
            "metric_std": _num(self.stats.std),
            "censored": self.stats.censored,
            "top1_error_mean": _num(self.top1.mean),
            "top1_error_std": _num(self.top1.std),
            "top5_error_mean": _num(self.top5.mean),
            "top5_error_std": _num(self.top5.std),
            "train_val_gap_mean": _num(self.gap.mean),
            "train_val_gap_std": _num(self.gap.std),
            "best_val_epoch_mean": _num(self.best_epoch.mean),
            "best_val_epoch_std": _num(self.best_epoch.std),
            "statuses": self.statuses,
            "grid": self.grid,
            "best_at_grid_edge": self.at_edge,
            "not_learning_runs": self.not_learning,
            "seeds": [r.get("seed") for r in self.runs],
            "records": [r.get("path") for r in self.runs],
        }


@dataclass
class SettingResult:
    """All arms of one setting, and the claim's verdict there."""

    setting: dict[str, str]
    arms: list[ArmResult]
    verdict: dict[str, Any] | None

    @property
    def label(self) -> str:
        """``init=paper, data.scale=raw`` (``all runs`` when nothing but the arms varies)."""
        return ", ".join(f"{k}={v}" for k, v in self.setting.items()) or "all runs"


@dataclass
class Comparison:
    """The whole sweep: claim, keys, settings."""

    claim: Claim | None
    arm_key: str
    select_keys: list[str]
    setting_keys: list[str]
    metric: str
    settings: list[SettingResult]
    records: list[dict[str, Any]]


def infer_arm_key(varying: list[str], requested: str | None) -> str:
    """The claim's key if one varies (or the requested one), else all varying keys together."""
    if requested:
        return requested
    for key in varying:
        if key in CLAIM_BY_KEY:
            return key
    return ",".join(varying) if varying else "(none)"


def compare(
    records: list[dict[str, Any]],
    claim_id: str | None = None,
    arm_key: str | None = None,
    select_keys: list[str] | tuple[str, ...] = (),
    replicate_keys: list[str] | tuple[str, ...] = ("seed",),
) -> Comparison:
    """Group a sweep's records into settings and arms, select per arm, judge per setting."""
    records = expand_test_views(records)
    params = [run_params(r) for r in records]
    varying = varying_keys(params)
    candidates = [k for k in varying if k not in select_keys and k not in replicate_keys]
    claim = CLAIMS.get(claim_id) if claim_id else None
    arm_key = infer_arm_key(candidates, arm_key or (claim.key if claim else None))
    claim = claim or CLAIM_BY_KEY.get(arm_key)
    arm_parts = arm_key.split(",")
    setting_keys = [k for k in candidates if k not in arm_parts]
    metric = claim.metric if claim else "top1_error"

    grouped: dict[tuple, dict[str, dict[tuple, list[dict]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for record, p in zip(records, params, strict=False):
        setting = tuple((k, p.get(k, "-")) for k in setting_keys)
        arm = ",".join(_arm_value(record, p, k) for k in arm_parts)
        selection = tuple((k, p.get(k, "-")) for k in select_keys)
        grouped[setting][arm][selection].append(record)

    settings = []
    for setting, arms in grouped.items():
        results = [_select(label, by_sel, metric, select_keys) for label, by_sel in arms.items()]
        results.sort(key=lambda a: _arm_order(claim, a.label))
        settings.append(SettingResult(dict(setting), results, _verdict(claim, results)))
    return Comparison(claim, arm_key, list(select_keys), setting_keys, metric, settings, records)


def expand_test_views(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per test view for runs tested several ways (experiment=tta, claim C7).

    The copies share the run's history and differ in ``final.test`` and in a ``tta=<view>``
    override, so the views become the arms of an ordinary comparison: the same trained
    weights, evaluated both ways.
    """
    expanded = []
    for record in records:
        views = (record.get("final") or {}).get("tests") or {}
        if len(views) < 2:
            expanded.append(record)
            continue
        kept = [o for o in record.get("overrides", []) if not o.startswith("tta=")]
        for view, result in views.items():
            copy = dict(record, overrides=[*kept, f"tta={view}"], tested_view=view)
            copy["final"] = dict(record["final"], test=result)
            expanded.append(copy)
    return expanded


def _arm_value(record: dict[str, Any], params: dict[str, str], key: str) -> str:
    if key in params:
        return params[key]
    return str(record.get("choices", {}).get(key, record.get("settings", {}).get(key, "-")))


def _arm_order(claim: Claim | None, label: str) -> tuple[int, str]:
    if claim and label == claim.favoured:
        return (0, label)
    if claim and label == claim.baseline:
        return (1, label)
    return (2, label)


def _stats(label: str, runs: list[dict[str, Any]], metric: str) -> ArmStats:
    values, censored = [], 0
    for r in runs:
        value, is_censored = run_metric(r, metric)
        if value is not None:
            values.append(value)
            censored += is_censored
    return ArmStats(label, values, censored)


def _rank(stats: ArmStats, runs: list[dict[str, Any]]) -> tuple[float, float, float]:
    """Lower is better: metric mean, then censored share, then final running train error."""
    if not stats.n:
        return (math.inf, math.inf, math.inf)
    last = [r["history"][-1].get("train_error", 1.0) for r in runs if r.get("history")]
    return (stats.mean, stats.censored / stats.n, sum(last) / len(last) if last else 1.0)


def _select(
    label: str, by_sel: dict[tuple, list[dict]], metric: str, select_keys: list[str] | tuple
) -> ArmResult:
    stats = {s: _stats(label, runs, metric) for s, runs in by_sel.items()}
    best_sel = min(by_sel, key=lambda s: _rank(stats[s], by_sel[s]))
    runs = by_sel[best_sel]
    grid: dict[str, list[str]] = {}
    at_edge = []
    for i, key in enumerate(select_keys):
        values = sorted({s[i][1] for s in by_sel}, key=_numeric)
        grid[key] = values
        if len(values) > 1 and best_sel[i][1] in (values[0], values[-1]):
            at_edge.append(key)
    return ArmResult(
        label=label,
        selected=dict(best_sel),
        stats=stats[best_sel],
        top1=_stats(label, runs, "top1_error"),
        top5=_stats(label, runs, "top5_error"),
        gap=_stats(label, runs, "gap"),
        best_epoch=_stats(label, runs, "best_epoch"),
        statuses=dict(Counter(r.get("status", "?") for r in runs)),
        runs=runs,
        others={_sel_label(s): rs for s, rs in by_sel.items() if s != best_sel},
        grid=grid,
        at_edge=at_edge,
        not_learning=sum(bool(r.get("not_learning")) for r in runs),
    )


def _verdict(claim: Claim | None, arms: list[ArmResult]) -> dict[str, Any] | None:
    if claim is None:
        return None
    by_label = {a.label: a for a in arms}
    fav, base = by_label.get(claim.favoured), by_label.get(claim.baseline)
    if fav is None or base is None:
        missing = claim.favoured if fav is None else claim.baseline
        return {
            "verdict": "inconclusive",
            "reason": f"the paper compares {claim.favoured} with {claim.baseline}; "
            f"arm {missing} did not run in this setting.",
        }
    result = judge(claim, fav.stats, base.stats)
    parts = _claim_parts(claim, by_label)
    if parts:
        result["parts"] = parts
    edge = [f"{a.label} ({', '.join(a.at_edge)})" for a in arms if a.at_edge]
    if edge:
        result["warning"] = (
            "best lr at the grid's edge: widen the grid; the comparison is not "
            "fair until the best value is inside it: " + "; ".join(edge)
        )
    return result


def _claim_parts(claim: Claim, by_label: dict[str, ArmResult]) -> list[dict[str, Any]]:
    """C5's two secondary comparisons, where their arms ran."""
    if claim.id != "C5":
        return []
    parts = []
    none, crop_flip, paper = (by_label.get(k) for k in ("none", "crop_flip", "paper"))
    augmented = paper or crop_flip
    if none and augmented:
        parts.append(
            judge_part(
                "overfitting (final validation minus running training error)",
                augmented.gap,
                none.gap,
                "without augmentation 'substantial overfitting'",
                claim,
            )
        )
    if paper and crop_flip:
        parts.append(
            judge_part(
                "PCA lighting (top-1 error with it, paper, against crop_flip)",
                paper.top1,
                crop_flip.top1,
                "PCA lighting lowers top-1 error by over 1%",
                claim,
            )
        )
    return parts


def _sel_label(selection: tuple) -> str:
    return ", ".join(f"{k}={v}" for k, v in selection)


def _numeric(value: str) -> tuple[int, float | str]:
    try:
        return (0, float(value))
    except ValueError:
        return (1, value)


def _num(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 6)
