"""Matplotlib figures of a sweep: Figure-1-style training curves and final errors per arm."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from alexnet_lab.results.arms import ArmResult, Comparison  # noqa: E402
from alexnet_lab.results.metrics import FINAL_ERRORS  # noqa: E402
from alexnet_lab.results.run_record import RunRecord  # noqa: E402

COLOURS = [plt.get_cmap("tab10")(i) for i in range(10)]


def mean_curve(
    runs: Iterable[RunRecord], key: str = "train_error"
) -> tuple[list[int], list[float]]:
    """Epochs and the mean of ``key`` over the runs that reached each epoch."""
    by_epoch: dict[int, list[float]] = {}
    for run in runs:
        for row in run.history:
            if key in row:
                by_epoch.setdefault(int(row["epoch"]), []).append(float(row[key]))
    epochs = sorted(by_epoch)
    return epochs, [sum(by_epoch[e]) / len(by_epoch[e]) for e in epochs]


def _arm_label(arm: ArmResult) -> str:
    sel = ", ".join(f"{k.split('.')[-1]} {v}" for k, v in arm.selected.items())
    return f"{arm.label} ({sel})" if sel else arm.label


def plot_training_curves(comparison: Comparison, target: float | None, path: Path) -> list[str]:
    """One panel per setting: running training error per epoch; selected value bold.

    Returns the panel titles (one per setting), in order.
    """
    settings = comparison.settings
    cols = math.ceil(math.sqrt(len(settings)))
    rows = math.ceil(len(settings) / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(5.2 * cols, 3.9 * rows), sharex=True, sharey=True, squeeze=False
    )
    for ax, setting in zip(axes.flat, settings, strict=False):
        for i, arm in enumerate(setting.arms):
            colour = COLOURS[i % len(COLOURS)]
            for runs in arm.others.values():
                ax.plot(*mean_curve(runs), color=colour, alpha=0.25, linewidth=1)
            epochs, mean = mean_curve(arm.runs)
            ax.plot(
                epochs,
                mean,
                color=colour,
                linewidth=2.6,
                label=_arm_label(arm),
                marker="o",
                markersize=3,
            )
        if target is not None:
            ax.axhline(
                target,
                color="black",
                linestyle="--",
                linewidth=1.2,
                label=f"target {100 * target:.0f}%",
            )
        ax.set_title(setting.label, fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylabel("training error (running)")
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(settings) :]:
        ax.set_visible(False)
    fig.suptitle(
        comparison.title + "\nbold: mean over seeds at the selected value; faint: other values",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return [s.label for s in settings]


def plot_final_errors(comparison: Comparison, path: Path) -> Path:
    """Final top-1 and top-5 error per arm (bars: mean over seeds; whiskers: std), per setting."""
    settings = comparison.settings
    width_each = max(4.5, 1.5 * len(settings[0].arms) + 2)
    fig, axes = plt.subplots(
        1, len(settings), figsize=(width_each * len(settings), 4.2), sharey=True, squeeze=False
    )
    for ax, setting in zip(axes.flat, settings, strict=False):
        labels = [a.label for a in setting.arms]
        xs = range(len(labels))
        width = 0.38
        for i, metric in enumerate(FINAL_ERRORS):
            stats = [arm.of(metric) for arm in setting.arms]
            means = [100 * st.mean if st.n else 0 for st in stats]
            stds = [100 * st.std for st in stats]
            bars = ax.bar(
                [x + (i - (len(FINAL_ERRORS) - 1) / 2) * width for x in xs],
                means,
                width,
                yerr=stds,
                capsize=4,
                label=metric.label,
                alpha=0.85 if i == 0 else 0.5,
                color=COLOURS[i],
            )
            for bar, mean, std, st in zip(bars, means, stds, stats, strict=False):
                text = f"{mean:.1f}" if st.n else "n/a"
                ax.annotate(
                    text,
                    (bar.get_x() + bar.get_width() / 2, mean + std),  # above the whisker
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    xytext=(0, 2),
                    textcoords="offset points",
                )
        ax.set_xticks(list(xs), labels)
        ax.set_title(setting.label, fontsize=10)
        ax.set_ylabel("final error (%): test, else last validation")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8)
    claim = comparison.claim
    fig.suptitle(
        f"{comparison.title}\npaper: {claim.paper}"
        if claim
        else f"final errors per {comparison.arm_key}",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
