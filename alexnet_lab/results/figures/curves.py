"""The Figure-1-style training curves of a sweep: mean over seeds per arm, seed spread as a band.

Errors in percent. Thick lines are the running training error (Figure 1's quantity); thin dashed
lines with dots the training error in eval mode on a fixed subset (``train_eval_error``), where
recorded. Runs that diverged are marked with an x where they stopped; runs that did
not learn are drawn apart (dotted, grey); both stay out of their arm's mean. The other values
of a select key (the lrs not chosen) are thin lines, each named at its end;
``lr_sensitivity.png`` shows them properly. A mean curve whose seeds did not all reach the
target ends in a hollow triangle (the legend says so); curves of few epochs carry markers.
Every line has a ``gid`` naming its kind, which the shared legend explains.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

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
    usable,
    verdict_line,
)
from alexnet_lab.results.verdict.arms import ArmResult, Comparison, SettingResult

#: a curve of at most this many epochs is drawn with a marker at each
FEW_POINTS = 5


def curve_values(runs: Iterable[RunRecord], key: str = "train_error") -> dict[int, list[float]]:
    """Per epoch, the finite values of ``key`` over the runs that reached it, in percent."""
    by_epoch: dict[int, list[float]] = {}
    for run in runs:
        for row in run.history:
            value = row.get(key)
            if value is not None and math.isfinite(float(value)):
                by_epoch.setdefault(int(row["epoch"]), []).append(100.0 * float(value))
    return dict(sorted(by_epoch.items()))


def mean_curve(
    runs: Iterable[RunRecord], key: str = "train_error"
) -> tuple[list[int], list[float]]:
    """Epochs and the mean of ``key`` (in percent) over the runs that reached each epoch."""
    by_epoch = curve_values(runs, key)
    return list(by_epoch), [sum(v) / len(v) for v in by_epoch.values()]


def arm_label(arm: ArmResult) -> str:
    """``relu (lr 0.01, 3 seeds)``: the arm, its chosen values and its usable seeds."""
    sel = [f"{k.split('.')[-1]} {v}" for k, v in arm.selected.items()]
    seeds = sum(usable(r) for r in arm.runs)
    word = f"{seeds} seed{'s' if seeds != 1 else ''}"
    return f"{arm.label} ({', '.join([*sel, word])})"


def plot_training_curves(comparison: Comparison, target: float | None, path: Path) -> Figure:
    """One panel per setting: running training error per epoch, per arm; returns the figure."""
    settings = comparison.settings
    cols = min(len(settings), 2)
    rows = math.ceil(len(settings) / cols)
    fig, axes = new_figure(rows, cols, height=5.0 if rows == 1 else 3.6 * rows)
    colours = arm_colours(comparison.arm_labels)
    keys: dict[str, Line2D] = {}
    for ax, setting in zip(axes.flat, settings, strict=False):
        keys |= _panel(ax, comparison, setting, colours, target)
    for ax in list(axes.flat)[len(settings) :]:
        ax.set_visible(False)
    note = "line: mean over seeds at the chosen value; band: min-max over seeds"
    return save(fig, path, f"{finding_title(comparison)}\n{note}", keys)


def marker(points: int) -> str:
    """``o`` for a curve of few points (a single epoch would draw nothing), else none."""
    return "o" if points <= FEW_POINTS else ""


def never_reached(runs: list[RunRecord]) -> int:
    """How many of the runs completed without reaching the target (their value is a bound)."""
    return sum(r.completed and r.epochs_to_target is None for r in runs)


def _panel(
    ax: Axes,
    comparison: Comparison,
    setting: SettingResult,
    colours: dict[str, str],
    target: float | None,
) -> dict[str, Line2D]:
    """Draw one setting's curves; returns the legend keys the panels share."""
    extra: dict[str, Line2D] = {}
    key = next(iter(comparison.select_keys), "value").split(".")[-1]  # lr
    last = max((len(r.history) for a in setting.arms for r in a.every_run), default=1)
    for order, arm in enumerate(setting.arms):
        colour = colours[arm.label]
        style = ("-", "--", "-.", ":")[order % 4]  # an arm drawn over another stays visible
        for value, runs in arm.others.items():
            good = [r for r in runs if usable(r)]
            if good:
                epochs, values = mean_curve(good)
                ax.plot(epochs, values, color=colour, alpha=0.3, linewidth=0.8,
                        marker=marker(len(epochs)), markersize=3, gid="other")  # fmt: skip
                ax.annotate(_short(value), (epochs[-1], values[-1]), fontsize=LEGEND_SIZE - 1,
                            color=colour, alpha=0.7, xytext=(3, 0),
                            textcoords="offset points", va="center")  # fmt: skip
                extra["other"] = Line2D([], [], color="0.4", alpha=0.5, linewidth=0.8)
            _odd_runs(ax, [r for r in runs if not usable(r)], colour, extra)
        good = [r for r in arm.runs if usable(r)]
        by_epoch = curve_values(good)
        if by_epoch:
            epochs = list(by_epoch)
            ax.fill_between(
                epochs,
                [min(v) for v in by_epoch.values()],
                [max(v) for v in by_epoch.values()],
                color=colour,
                alpha=0.18,
                linewidth=0,
            )
            epochs, means = mean_curve(good)
            ax.plot(epochs, means, color=colour, linewidth=2.4, linestyle=style,
                    marker=marker(len(epochs)), markersize=5, label=arm_label(arm),
                    zorder=3 + order, gid="mean")  # fmt: skip
            missed = never_reached(good)
            if target is not None and missed:
                ax.plot([epochs[-1]], [means[-1]], marker="^", markersize=13, color=colour,
                        markerfacecolor="none", markeredgewidth=1.8, linestyle="none",
                        zorder=6 + order, gid="not_reached")  # fmt: skip
                ax.annotate(f"{missed} of {len(good)} never reached", (epochs[-1], means[-1]),
                            xytext=(10, 0), textcoords="offset points", ha="left",
                            va="center", fontsize=LEGEND_SIZE, color=colour)  # fmt: skip
                extra["not_reached"] = Line2D([], [], color="0.2", marker="^", linestyle="none",
                                              markerfacecolor="none", markersize=9)  # fmt: skip
        clean = mean_curve(good, "train_eval_error")
        if clean[0]:  # the eval-mode training error, drawn apart from the running one
            ax.plot(*clean, color=colour, linewidth=1.1, linestyle=(0, (4, 2)), marker="o",
                    markersize=3, zorder=3 + order, gid="eval")  # fmt: skip
            extra["eval"] = Line2D([], [], color="0.3", linewidth=1.1, linestyle=(0, (4, 2)),
                                   marker="o", markersize=3)  # fmt: skip
        _odd_runs(ax, [r for r in arm.runs if not usable(r)], colour, extra)
    if target is not None:
        ax.axhline(100 * target, color="black", linestyle="--", linewidth=1.1, gid="target")
        extra["target"] = Line2D([], [], color="black", linestyle="--", linewidth=1.1)
    chance = next((r.chance_error for a in setting.arms for r in a.runs if r.chance_error), None)
    if chance:
        ax.axhline(100 * chance, color="0.45", linestyle=(0, (1, 3)), linewidth=1.3, gid="chance")
        extra["chance"] = Line2D([], [], color="0.45", linestyle=(0, (1, 3)), linewidth=1.3)
    names = {
        "target": f"target {100 * (target or 0):.0f}% training error",
        "chance": f"chance {100 * (chance or 0):.0f}% (majority class): at it, nothing learned",
        "other": f"other {key}s (thin, named at their end; see lr_sensitivity.png)",
        "eval": "train_eval_error (thin dashed, dots): eval mode, centre view, fixed subset",
        "stuck": "not learning (grey, dotted; not in the mean)",
        "diverged": "diverged: x where it stopped (not in the mean)",
        "not_reached": "never reached the target: a hollow triangle round the mean's end",
    }
    title = panel_name(comparison, setting)
    if len(comparison.settings) > 1 and setting.verdict:
        title += "\n" + verdict_line(comparison, setting.verdict)
    ax.set_title(title, fontsize=PANEL_SIZE)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training error (%, running, over the epoch)")
    ax.set_ylim(0, 100.0)
    # one epoch: a point in the middle, not a 0.1-wide axis; room for the thin lines' names
    ax.set_xlim(0.5, last + 0.5 + (0.12 * last if extra.get("other") else 0))
    if last <= 10:
        ax.set_xticks(range(1, last + 1))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:  # a panel of runs with no epoch has no curve
        ax.legend(fontsize=LEGEND_SIZE, loc="best", framealpha=0.9)
    return {names[k]: handle for k, handle in extra.items()}


def _short(value: str) -> str:
    """``optim.lr=0.001,init=paper`` -> ``lr 0.001, init paper``: a thin line's name."""
    pairs = [part.partition("=") for part in value.split(",")]
    return ", ".join(f"{k.split('.')[-1]} {v}" if v else k for k, _, v in pairs)


def _odd_runs(ax: Axes, runs: list[RunRecord], colour: str, extra: dict[str, Line2D]) -> None:
    """Runs kept out of the mean: not learning (grey, dotted), diverged or failed (x at the end)."""
    for run in runs:
        epochs, values = mean_curve([run])
        if run.not_learning and not diverged(run):
            ax.plot(epochs, values, color=NOT_LEARNING_COLOUR, linestyle=":", linewidth=1.4,
                    marker=marker(len(epochs)), markersize=3, gid="stuck")  # fmt: skip
            extra["stuck"] = Line2D([], [], color=NOT_LEARNING_COLOUR, linestyle=":")
            continue
        ax.plot(epochs, values, color=colour, linewidth=0.8, alpha=0.6,
                marker=marker(len(epochs)), markersize=3, gid="diverged_run")  # fmt: skip
        last_epoch = int(run.last_row.get("epoch", len(run.history)) or 1)
        ax.plot([last_epoch], [values[-1] if values else 100.0], marker="x", color=colour,
                markersize=9, markeredgewidth=2, linestyle="none", gid="diverged")  # fmt: skip
        extra["diverged"] = Line2D([], [], color="0.2", marker="x", linestyle="none")
