"""What a comparison holds: arms (one per value of the arm key), settings, the whole sweep."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.verdict.claims import Claim
from alexnet_lab.results.verdict.intervals import ArmStats
from alexnet_lab.results.verdict.metrics import REPORTED, Metric


@dataclass
class ArmResult:
    """One arm within one setting, at its selected value of the select keys."""

    label: str
    selected: dict[str, str]
    #: the claim's metric over the selected runs
    stats: ArmStats
    #: every metric the report shows or a part judges, by :attr:`Metric.name`
    by_metric: dict[str, ArmStats]
    statuses: dict[str, int]
    runs: list[RunRecord]
    #: runs at the other, not selected values (the faint curves of the figure), by value
    others: dict[str, list[RunRecord]] = field(default_factory=dict)
    #: select key -> grid of values tried, and whether the chosen one sits at an edge
    grid: dict[str, list[str]] = field(default_factory=dict)
    at_edge: list[str] = field(default_factory=list)
    not_learning: int = 0

    def of(self, metric: Metric) -> ArmStats:
        """The arm's values of ``metric`` over its selected runs."""
        stats = self.by_metric.get(metric.name)
        return stats if stats is not None else metric.stats(self.label, self.runs)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        out: dict[str, Any] = {
            "arm": self.label,
            "selected": self.selected,
            "n": self.stats.n,
            "metric_values": self.stats.values,
            "metric_mean": _num(self.stats.mean),
            "metric_std": _num(self.stats.std),
            "censored": self.stats.censored,
        }
        for metric in REPORTED:
            stats = self.of(metric)
            out[f"{metric.name}_mean"] = _num(stats.mean)
            out[f"{metric.name}_std"] = _num(stats.std)
        return out | {
            "statuses": self.statuses,
            "grid": self.grid,
            "best_at_grid_edge": self.at_edge,
            "not_learning_runs": self.not_learning,
            "seeds": [r.seed for r in self.runs],
            "records": [r.path for r in self.runs],
        }

    @property
    def every_run(self) -> list[RunRecord]:
        """The selected runs and those at the other values of the select keys."""
        return self.runs + [r for runs in self.others.values() for r in runs]


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

    def arm(self, label: str) -> ArmResult | None:
        """The arm called ``label``, if it ran in this setting."""
        return next((a for a in self.arms if a.label == label), None)


@dataclass
class Comparison:
    """The whole sweep: claim, keys, metric, settings and the records behind them."""

    claim: Claim | None
    arm_key: str
    select_keys: list[str]
    setting_keys: list[str]
    metric: Metric
    settings: list[SettingResult]
    records: list[RunRecord]
    #: the same run reached more than once, counted once (in words)
    duplicates: list[str] = field(default_factory=list)

    @property
    def arm_labels(self) -> list[str]:
        """Every arm's label, in the order the settings list them."""
        labels: list[str] = []
        for s in self.settings:
            labels += [a.label for a in s.arms if a.label not in labels]
        return labels

    @property
    def title(self) -> str:
        """``C1: ReLU trains ...``, or what the sweep varied when no claim does."""
        claim = self.claim
        return f"{claim.id}: {claim.title}" if claim else f"sweep over {self.arm_key}"


def _num(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 6)
