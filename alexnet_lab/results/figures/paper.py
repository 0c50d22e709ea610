"""``paper_report.png`` (and ``.svg``): the paper's number against the measured one, per claim.

A chart, not a picture of a table: one panel per claim of the paper (C1-C7, in order), in the
claim's own unit (a ratio on a log scale, or a difference in points), one row per sweep and
setting: the measured effect as a dot coloured by its verdict with its 95% interval as a bar
(an open end an arrow to the panel's edge; a lower bound a hollow dot), the paper's number as a
black diamond, no effect and the claim's threshold as vertical lines. Each row is named by what
the number is conditional on (data set, its size, where training starts, the budget), so that
a number on a small set stands visibly apart from the paper's. A claim with no sweep says so.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from alexnet_lab.results.figures.style import LEGEND_SIZE, write_figure  # noqa: E402
from alexnet_lab.results.verdict.claims import CLAIMS, Claim  # noqa: E402

VERDICT_COLOURS = {
    "reproduced": "#2e8b3a",
    "not reproduced": "#c8362b",
    "inconclusive": "#c99a06",
}
OTHER_COLOUR = "#4a6fb5"
ROW_IN, PANEL_IN = 0.62, 0.95  # inches per row, and per panel around its rows


def entries(rows: list[dict[str, Any]], claim: Claim) -> list[dict[str, Any]]:
    """The chart's rows of one claim: per sweep and setting, the effect, interval, verdict."""
    out = []
    for row in rows:
        if row.get("claim") != claim.id:
            continue
        for setting in row["summary"].get("settings") or []:
            verdict = setting.get("verdict") or {}
            numbers = verdict.get("numbers") or {}
            interval = numbers.get("interval") or {}
            low, high = interval.get("low"), interval.get("high")
            if claim.min_ratio is not None:
                value = numbers.get("ratio")
                low = None if low is not None and low <= 0 else low
                censored = numbers.get("censored") or {}
                slow = claim.baseline if claim.metric.lower_is_better else claim.favoured
                fast = claim.favoured if slow == claim.baseline else claim.baseline
                bound = bool(censored.get(slow)) and not censored.get(fast)
            else:
                value = verdict.get("effect", numbers.get("effect"))
                value, low, high = (None if v is None else 100 * v for v in (value, low, high))
                bound = False
            place = "" if setting["label"] == "all runs" else f", {setting['label']}"
            label = f"{row['sweep']}{place}: {row.get('data')} ({row.get('train_size')}), "
            label += str(row.get("conditions") or "")
            out.append({"label": label, "value": value, "low": low, "high": high,
                        "bound": bound, "verdict": verdict.get("verdict", "no verdict"),
                        "measured": verdict.get("measured") or "n/a"})  # fmt: skip
    return out


def paper_value(claim: Claim) -> float | None:
    """The paper's own number in the panel's unit (a ratio, or points), where it gives one."""
    if claim.min_ratio is not None:
        return claim.paper_ratio
    return None if claim.paper_effect is None else 100 * claim.paper_effect


def paper_figure(rows: list[dict[str, Any]], path: Path, title: str | None = None) -> Figure:
    """Draw the paper-vs-measured chart of ``rows`` (``paper_report.paper_rows``) into ``path``.

    Written as a PNG and an SVG beside it; returns the figure (closed, still readable).
    """
    claims = list(CLAIMS.values())
    found = [entries(rows, c) for c in claims]
    heights = [max(len(e), 1) * ROW_IN + PANEL_IN for e in found]
    fig, axes = plt.subplots(
        len(claims), 1, figsize=(11.0, sum(heights) + 1.6), squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )  # fmt: skip
    for ax, claim, rows_of in zip(axes[:, 0], claims, found, strict=True):
        _panel(ax, claim, rows_of)
    fig.suptitle(title or "AlexNet (2012) claims: the paper's number and the one measured here")
    keys = {
        "the paper's number": Line2D([], [], color="black", marker="D", linestyle="none"),
        "measured, with its 95% interval (colour: verdict)": Line2D(
            [], [], color="0.3", marker="o", linewidth=2
        ),
        "a lower bound (runs that never reached the target)": Line2D(
            [], [], color="0.3", marker="o", markerfacecolor="white", linestyle="none"
        ),
        "no effect": Line2D([], [], color="0.3", linestyle="--", linewidth=1),
        "the claim's threshold (a ratio claim's factor)": Line2D(
            [], [], color="0.3", linestyle=":", linewidth=1.2
        ),
    }  # fmt: skip
    legend = fig.legend(list(keys.values()), list(keys), loc="lower center", ncol=3,
                        fontsize=LEGEND_SIZE, frameon=False)  # fmt: skip
    legend.set_gid("keys")
    fig.tight_layout(rect=(0.0, 0.7 / fig.get_figheight(), 1.0, 1.0))
    write_figure(fig, Path(path), dpi=110)
    plt.close(fig)
    return fig


def _panel(ax: Axes, claim: Claim, rows: list[dict[str, Any]]) -> None:
    """One claim: its rows (or "not run"), the paper's number, no effect, the threshold."""
    ratio = claim.min_ratio is not None
    paper = paper_value(claim)
    name = f"{claim.id}: {claim.title}. Paper: {claim.paper}"
    ax.set_title("\n".join(textwrap.wrap(name, 130)), fontsize=9, loc="left")
    unit = (
        f"{claim.baseline}/{claim.favoured} (x, log scale)"
        if ratio
        else f"{claim.favoured} better than {claim.baseline} by (points of {claim.metric.label})"
    )
    ax.set_xlabel(unit, fontsize=8)
    numbers = [v for r in rows for v in (r["value"], r["low"], r["high"]) if v is not None]
    numbers += [v for v in (paper, claim.min_ratio if ratio else 0.0, 1.0 if ratio else None)
                if v is not None]  # fmt: skip
    if ratio:
        ax.set_xscale("log")
        positive = [v for v in numbers if v > 0] or [1.0]
        left, right = min(positive) / 1.6, max(positive) * 1.6
    else:
        span = max((abs(v) for v in numbers), default=1.0) or 1.0
        left, right = min(numbers, default=0.0) - 0.25 * span, max(numbers) + 0.25 * span
    ax.set_xlim(left, right)
    if ratio:
        ticks = [t for t in (0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32) if left <= t <= right]
        ax.set_xticks(ticks, [f"{t:g}x" for t in ticks])
        ax.minorticks_off()
    ax.axvline(1.0 if ratio else 0.0, color="0.3", linestyle="--", linewidth=1, gid="null")
    if claim.min_ratio is not None:
        ax.axvline(claim.min_ratio, color="0.3", linestyle=":", linewidth=1.2, gid="threshold")
    count = max(len(rows), 1)
    ax.set_ylim(count - 0.4, -0.6)
    if paper is not None:
        ax.plot([paper] * count, range(count), marker="D", color="black", linestyle="none",
                markersize=6, zorder=5, gid="paper")  # fmt: skip
    if not rows:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "not run here", transform=ax.transAxes, ha="center", va="center",
                fontsize=9, color="0.35", gid="not_run")  # fmt: skip
        return
    ax.set_yticks(range(len(rows)), ["\n".join(textwrap.wrap(r["label"], 48)) for r in rows],
                  fontsize=7)  # fmt: skip
    for y, row in enumerate(rows):
        _row(ax, y, row, left, right)
    ax.grid(axis="x", alpha=0.3)


def _row(ax: Axes, y: int, row: dict[str, Any], left: float, right: float) -> None:
    """One measured row: its interval (arrows at open ends), its value, its verdict in words."""
    colour = VERDICT_COLOURS.get(row["verdict"], OTHER_COLOUR)
    value, low, high = row["value"], row["low"], row["high"]
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        ax.text(left, y, f"  no value: {row['measured']}", va="center", fontsize=7,
                color=colour, gid="no_value")  # fmt: skip
        return
    if low is not None or high is not None:
        start, end = (left if low is None else low), (right if high is None else high)
        ax.plot([start, end], [y, y], color=colour, linewidth=2.2, solid_capstyle="butt",
                gid="interval")  # fmt: skip
        for open_end, marker in ((low is None, "<"), (high is None, ">")):
            if open_end:
                ax.plot([left if marker == "<" else right], [y], marker=marker, color=colour,
                        linestyle="none", markersize=7, clip_on=False, gid="open_end")  # fmt: skip
    ax.plot([value], [y], marker="o", markersize=8, color=colour, linestyle="none", zorder=6,
            markerfacecolor="white" if row["bound"] else colour, gid="measured")  # fmt: skip
    words = f"{row['verdict']}: {'at least ' if row['bound'] else ''}{row['measured']}"
    place = (
        (
            math.log(value / left) / math.log(right / left)
            if ax.get_xscale() == "log"
            else (value - left) / (right - left)
        )
        if value > 0 or ax.get_xscale() != "log"
        else 0
    )
    side = "left" if place < 0.3 else "right" if place > 0.7 else "center"
    ax.annotate("\n".join(textwrap.wrap(words, 60)), (value, y), xytext=(0, 7),
                textcoords="offset points", ha=side, va="bottom", fontsize=7, zorder=7,
                color=colour, gid="verdict", bbox={"facecolor": "white", "edgecolor": "none",
                                                   "alpha": 0.8, "pad": 0.5})  # fmt: skip
