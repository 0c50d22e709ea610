"""``lr_sensitivity.png``: the claim's measure against each value of a per-arm select key.

For a claim that tunes a key per arm (C1's learning rate, :attr:`Comparison.select_keys`): per
setting, epochs to the target and final top-1 error against the key's values (log scale for
an lr), one line per arm (mean over seeds), each seed a dot (a hollow triangle, "at least",
at the epochs it ran, where it never reached the target; grey where it did not learn; in the
top-1 panel a hollow square where the run stopped at the target under ``stop_at_target``, so
its error is not a full budget's), the chosen value ringed, diverged runs an x at the top. A
mean over seeds of which some never reached the target is a lower bound: a large hollow
triangle, not joined into the line. A reader sees whether each arm's best value sits inside
the grid and how flat the optimum is.
"""

from __future__ import annotations

import math
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from alexnet_lab.overrides import parse_overrides
from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.results.figures.style import (
    LEGEND_SIZE,
    NOT_LEARNING_COLOUR,
    PANEL_SIZE,
    arm_colours,
    diverged,
    finding_title,
    new_figure,
    panel_name,
    save,
    verdict_line,
)
from alexnet_lab.results.verdict.arms import ArmResult, Comparison, SettingResult
from alexnet_lab.results.verdict.metrics import EPOCHS_TO_TARGET, TOP1_ERROR, Metric

LR_PNG = "lr_sensitivity.png"


def sensitivity_key(comparison: Comparison) -> str | None:
    """The select key the figure plots: the first with a numeric grid of two values or more."""
    for key in comparison.select_keys:
        values = {v for s in comparison.settings for a in s.arms for v in a.grid.get(key, [])}
        if len(values) > 1 and all(_number(v) is not None for v in values):
            return key
    return None


def plot_lr_sensitivity(comparison: Comparison, target: float | None, path: Path) -> Figure | None:
    """Per setting, a panel pair (epochs to target, final top-1); ``None`` without a grid."""
    key = sensitivity_key(comparison)
    if key is None:
        return None
    metrics = ([EPOCHS_TO_TARGET] if target is not None else []) + [TOP1_ERROR]
    settings = comparison.settings
    fig, axes = new_figure(len(settings), len(metrics), height=max(5.0, 3.8 * len(settings)))
    colours = arm_colours(comparison.arm_labels)
    for row, setting in zip(axes, settings, strict=True):
        for ax, metric in zip(row, metrics, strict=True):
            _panel(ax, comparison, setting, key, metric, colours, target)
    note = f"sensitivity to {key}: line = mean over seeds per value, one line per arm"
    runs = [r for s in settings for a in s.arms for r in a.every_run]
    keys = {
        "seed": Line2D([], [], color="0.3", marker="o", linestyle="none"),
        "epoch budget (dashed)": Line2D([], [], color="black", linestyle="--", linewidth=1),
        "seed that never reached the target: at least the budget": Line2D(
            [], [], color="0.3", marker="^", markerfacecolor="white", linestyle="none"
        ),
        "mean over such seeds: a lower bound, not joined to the line": Line2D(
            [], [], color="0.3", marker="^", markersize=9, markerfacecolor="white",
            markeredgewidth=2, linestyle="none"
        ),
        f"chosen {key} (the arm's best)": Line2D(
            [], [], color="0.3", marker="o", markersize=12, markerfacecolor="none",
            linestyle="none"
        ),
        "diverged (at the top)": Line2D([], [], color="0.3", marker="x", linestyle="none"),
    }  # fmt: skip
    if target is None:  # no speed panel
        keys = {k: v for k, v in keys.items() if not k.startswith(("epoch budget", "seed that"))}
    if target is None or not any(r.completed and r.epochs_to_target is None for r in runs):
        keys = {k: v for k, v in keys.items() if "never reached" not in k and "such" not in k}
    if any(r.not_learning for r in runs):
        keys["did not learn (grey; counted, as the verdict counts it)"] = Line2D(
            [], [], color=NOT_LEARNING_COLOUR, marker="o", linestyle="none"
        )
    if any(r.stopped_at_target for r in runs):
        keys["stopped at the target: its top-1 error there"] = Line2D(
            [], [], color="0.3", marker="s", markerfacecolor="white", linestyle="none"
        )
    return save(fig, path, f"{finding_title(comparison)}\n{note}", keys)


def _panel(
    ax: Axes,
    comparison: Comparison,
    setting: SettingResult,
    key: str,
    metric: Metric,
    colours: dict[str, str],
    target: float | None,
) -> None:
    values = sorted({float(v) for a in setting.arms for v in a.grid.get(key, [])})
    log = values[0] > 0 and values[-1] / values[0] >= 10
    speed = metric.name == EPOCHS_TO_TARGET.name
    budget = max((r.max_epochs for a in setting.arms for r in a.every_run), default=0)
    stopped = any(r.stopped_at_target for a in setting.arms for r in a.every_run)
    top = (budget + 1) * 1.12 if speed else 100.0
    for i, arm in enumerate(setting.arms):
        shift = (i - (len(setting.arms) - 1) / 2) * 0.08  # arms side by side, never hidden
        _arm(ax, arm, key, metric, colours[arm.label], shift, log, top)
    if speed:
        ax.axhline(budget, color="black", linestyle="--", linewidth=1, gid="budget")
        ax.set_ylabel(f"epochs to {100 * (target or 0):.0f}% training error")
    elif stopped:
        ax.set_ylabel("top-1 error (%) where each run ended")
    else:
        ax.set_ylabel("final top-1 error (%): test, else last val.")
    ax.set_ylim(0, top * 1.04)
    if log:
        ax.set_xscale("log")
    if speed:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(key)
    ax.set_xticks(values, [f"{v:g}" for v in values], fontsize=LEGEND_SIZE)
    ax.minorticks_off()
    what = "epochs to target" if speed else "final top-1 error"  # the y label says which
    if not speed and stopped:
        what = "top-1 at each run's end"
    title = f"{panel_name(comparison, setting)}: {what}"
    if len(comparison.settings) > 1 and setting.verdict and speed:
        title += "\n" + verdict_line(comparison, setting.verdict)
    ax.set_title(title, fontsize=PANEL_SIZE)
    ax.grid(alpha=0.3)
    if speed or target is None:  # the arms' legend: the row's first panel
        ax.legend(fontsize=LEGEND_SIZE, loc="best", framealpha=0.9)


def _arm(
    ax: Axes,
    arm: ArmResult,
    key: str,
    metric: Metric,
    colour: str,
    shift: float,
    log: bool,
    top: float,
) -> None:
    """One arm: its mean line, its seeds, its chosen value ringed, its diverged runs at top."""
    by_value: dict[float, list[RunRecord]] = {}
    for run in arm.every_run:
        value = _number(parse_overrides(run.overrides).get(key))
        if value is not None:
            by_value.setdefault(value, []).append(run)
    means, seeds, hollow, stopped, broke = [], [], [], [], []
    grey: list[tuple[float, float, bool]] = []
    for value, runs in sorted(by_value.items()):
        x = value * 10**shift if log else value + shift * value
        kept, bound = [], False
        for run in runs:
            reading, censored = metric.value(run) if not diverged(run) else (None, False)
            if diverged(run):
                broke.append(x)
            if reading is None:
                continue
            point = (x, reading * metric.scale)
            kept.append(point[1])
            bound |= censored
            if run.not_learning:  # drawn as the report names it (hollow: censored too)
                grey.append((*point, censored))
            elif censored:
                hollow.append(point)
            elif run.stopped_at_target and metric.name != EPOCHS_TO_TARGET.name:
                stopped.append(point)  # its error where it stopped, early
            else:
                seeds.append(point)
        if kept:
            means.append((value, x, sum(kept) / len(kept), bound))
    chosen = _number(arm.selected.get(key))
    # the line joins only means of seeds that all reached the target: a bound is no value
    joined = [(x, math.nan if bound else y) for _, x, y, bound in means]
    ax.plot(*_xy(joined), color=colour, linewidth=2, marker="o", markersize=4, gid="mean",
            label=f"{arm.label} (chosen {key.split('.')[-1]} {arm.selected.get(key)})")  # fmt: skip
    bounds = [(x, y) for _, x, y, bound in means if bound]
    ax.plot(*_xy(bounds), marker="^", linestyle="none", color=colour, markersize=9,
            markerfacecolor="white", markeredgewidth=2, zorder=5, gid="censored_mean")  # fmt: skip
    ax.plot(*_xy(seeds), marker="o", linestyle="none", color=colour, markersize=5, alpha=0.8,
            gid="seeds")  # fmt: skip
    ax.plot(*_xy(hollow), marker="^", linestyle="none", color=colour, markersize=6,
            markerfacecolor="white", zorder=6, gid="censored")  # fmt: skip
    for censored in (False, True):
        at = [(x, y) for x, y, c in grey if c == censored]
        ax.plot(*_xy(at), marker="^" if censored else "o", linestyle="none", zorder=6,
                color=NOT_LEARNING_COLOUR, markerfacecolor="white" if censored else None,
                markersize=6, gid="not_learning")  # fmt: skip
    ax.plot(*_xy(stopped), marker="s", linestyle="none", color=colour, markersize=6,
            markerfacecolor="white", gid="stopped")  # fmt: skip
    ax.plot(broke, [top] * len(broke), marker="x", linestyle="none", color=colour,
            markersize=8, markeredgewidth=2, gid="diverged")  # fmt: skip
    best = [
        (x, y) for value, x, y, _ in means if chosen is not None and math.isclose(value, chosen)
    ]
    ax.plot(*_xy(best), marker="o", markersize=15, markerfacecolor="none", linestyle="none",
            markeredgecolor=colour, markeredgewidth=2, gid="chosen")  # fmt: skip


def _xy(points: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    return [p[0] for p in points], [p[1] for p in points]


def _number(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None
