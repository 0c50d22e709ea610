"""The second figure of a sweep: each seed's value of what the claim measures, per arm.

A speed claim (epochs to the target) shows epochs per seed, an unreached target at the epochs
run as a hollow "≥" point; an error claim shows top-1 error per seed (top-5 only for data of
more than 10 classes, where it tells something). Each arm: its seeds as dots, the mean as a
bar, the 95% interval of the mean as a whisker, in the arm's colour of every figure.
"""

from __future__ import annotations

import math
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from alexnet_lab.results.figures.style import (
    LEGEND_SIZE,
    NOT_LEARNING_COLOUR,
    PANEL_SIZE,
    arm_colours,
    diverged,
    finding_title,
    new_figure,
    num_classes,
    panel_name,
    save,
    verdict_line,
)
from alexnet_lab.results.verdict.arms import Comparison, SettingResult
from alexnet_lab.results.verdict.intervals import mean_interval
from alexnet_lab.results.verdict.metrics import EPOCHS_TO_TARGET, TOP1_ERROR, TOP5_ERROR, Metric


def figure_metrics(comparison: Comparison) -> list[Metric]:
    """What the figure shows: the claim's speed metric, else top-1 (and top-5 past 10 classes)."""
    if comparison.metric.name == EPOCHS_TO_TARGET.name:
        return [comparison.metric]
    classes = num_classes(comparison.records)
    return [TOP1_ERROR, TOP5_ERROR] if classes is not None and classes > 10 else [TOP1_ERROR]


def plot_final_errors(comparison: Comparison, path: Path, target: float | None = None) -> Figure:
    """Per setting (and metric), each arm's seeds, mean and interval; returns the figure."""
    metrics = figure_metrics(comparison)
    settings = comparison.settings
    panels = [(s, m) for s in settings for m in metrics]
    cols = min(len(panels), 2 if len(panels) != 3 else 3)
    rows = math.ceil(len(panels) / cols)
    fig, axes = new_figure(rows, cols, height=5.0 if rows == 1 else 3.6 * rows)
    colours = arm_colours(comparison.arm_labels)
    for ax, (setting, metric) in zip(axes.flat, panels, strict=False):
        _panel(ax, comparison, setting, metric, colours, target)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    note = "dots: seeds; bar: mean; whisker: 95% interval of the mean"
    return save(fig, path, f"{finding_title(comparison)}\n{note}", legend_keys(comparison, metrics))


def legend_keys(comparison: Comparison, metrics: list[Metric]) -> dict[str, Line2D]:
    """The shared legend: what a seed's mark means, and the budget line of a speed claim."""
    speed = metrics[0].name == EPOCHS_TO_TARGET.name
    runs = comparison.records
    keys = {
        "seed (a dot" + ("; hollow: never reached the target, more than the budget)" if speed
                         else ")"): Line2D([], [], color="0.3", marker="o", linestyle="none"),
    }  # fmt: skip
    if speed:
        keys["epoch budget (dashed)"] = Line2D([], [], color="black", linestyle="--")
    if any(diverged(r) for r in runs):
        keys["diverged (x)"] = Line2D([], [], color="0.3", marker="x", linestyle="none")
    if any(r.not_learning for r in runs):
        keys["did not learn (grey; counted, as the verdict counts it)"] = Line2D(
            [], [], color=NOT_LEARNING_COLOUR, marker="o", linestyle="none"
        )
    return keys


def _panel(
    ax: Axes,
    comparison: Comparison,
    setting: SettingResult,
    metric: Metric,
    colours: dict[str, str],
    target: float | None,
) -> None:
    speed = metric.name == EPOCHS_TO_TARGET.name
    budget = max((r.max_epochs for a in setting.arms for r in a.runs), default=0)
    odd: set[str] = set()
    for x, arm in enumerate(setting.arms):
        colour = colours[arm.label]
        readings = [(metric.value(r), r) for r in arm.runs]
        points = [(v * metric.scale, c, r) for (v, c), r in readings if v is not None]
        offsets = _jitter(len(points))
        for (value, censored, record), dx in zip(points, offsets, strict=True):
            shade = NOT_LEARNING_COLOUR if record.not_learning else colour
            marker = "x" if diverged(record) else "o"
            ax.plot([x + dx], [value], marker=marker, markersize=7, linestyle="none", color=shade,
                    markerfacecolor="white" if censored else shade, gid="seeds")  # fmt: skip
            odd |= {"diverged (x)"} if diverged(record) else set()
            odd |= {"grey: did not learn"} if record.not_learning else set()
        stats = arm.of(metric)
        if not stats.n:
            ax.annotate("no value", (x, 0), ha="center", va="bottom", fontsize=LEGEND_SIZE)
            continue
        mean = stats.mean * metric.scale
        ax.hlines(mean, x - 0.28, x + 0.28, color=colour, linewidth=3)
        interval = _possible(mean_interval(stats), metric, speed)
        text = f"{'>' if stats.censored else ''}{metric.amount(stats.mean)}"
        if interval:
            low, high = interval
            top = high if math.isfinite(high) else (budget + 1) / metric.scale
            ax.vlines(x + 0.32, low * metric.scale, top * metric.scale, color=colour,
                      linewidth=1.6, linestyle="-" if math.isfinite(high) else ":")  # fmt: skip
            shown = metric.amount(high) if math.isfinite(high) else "open"
            text += f"\n[{metric.amount(low)}, {shown}]"
        ax.annotate(text, (x + 0.36, mean), va="center", fontsize=LEGEND_SIZE, color=colour)
    ax.set_xticks(range(len(setting.arms)), [_tick(a.label, a.selected) for a in setting.arms])
    ax.set_xlim(-0.5, len(setting.arms) - 0.3)
    if speed:
        ax.axhline(budget, color="black", linestyle="--", linewidth=1, gid="budget")
        where = ("axes fraction", "data")
        words = f"budget {budget}: hollow = not reached, more than the epochs run"
        ax.annotate(words, (0.01, budget), xycoords=where, va="bottom", fontsize=LEGEND_SIZE)
        ax.set_ylim(0, (budget + 1) * 1.12)
        goal = f"{100 * target:.0f}% " if target is not None else "the target "
        ax.set_ylabel(f"epochs to {goal}training error")
    else:
        ax.set_ylim(bottom=0)
        ax.set_ylabel(f"final {metric.label} (%): test, else last validation")
    title = panel_name(comparison, setting)
    if len(comparison.settings) > 1 and setting.verdict:
        title += "\n" + verdict_line(comparison, setting.verdict)
    elif not speed and len(figure_metrics(comparison)) > 1:
        title += f": {metric.label}"
    ax.set_title(title, fontsize=PANEL_SIZE)
    ax.grid(axis="y", alpha=0.3)
    if odd:
        note = ", ".join(sorted(odd)) + ": counted, as the verdict counts them"
        ax.annotate(note, (0.01, 0.01), xycoords="axes fraction", fontsize=LEGEND_SIZE, color="0.3")


def _possible(
    interval: tuple[float, float] | None, metric: Metric, speed: bool
) -> tuple[float, float] | None:
    """The interval clipped to values the measure can take (errors in [0, 1], epochs > 0)."""
    if interval is None:
        return None
    low, high = interval
    if speed:
        return max(low, 0.0), high
    if metric.signed:
        return max(low, -1.0), min(high, 1.0)
    return max(low, 0.0), min(high, 1.0)


def _tick(label: str, selected: dict[str, str]) -> str:
    sel = ", ".join(f"{k.split('.')[-1]} {v}" for k, v in selected.items())
    return f"{label}\n({sel})" if sel else label


def _jitter(n: int) -> list[float]:
    """Small x offsets so that seeds with equal values stay visible side by side."""
    if n <= 1:
        return [0.0] * n
    return [-0.15 + 0.3 * i / (n - 1) for i in range(n)]
