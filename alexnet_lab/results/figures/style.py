"""What every figure of a sweep shares: one colour per arm, run kinds, titles stating the finding.

An arm keeps its colour in every figure (relu is always blue, tanh always red); runs that
diverged or did not learn are drawn apart and kept out of an arm's mean; a figure's title says
the verdict and the measured effect with its interval, the paper's number beside it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from alexnet_lab.record.atomic import atomic_path  # noqa: E402
from alexnet_lab.record.run_record import RunRecord  # noqa: E402
from alexnet_lab.results.verdict.arms import Comparison, SettingResult  # noqa: E402

#: fixed colours of the arms the paper's claims name: favoured arms cool, baselines warm
ARM_COLOURS = {
    **dict.fromkeys(("relu", "lrn", "overlap", "on", "paper", "two", "ten_crop"), "#1f77b4"),
    **dict.fromkeys(("tanh", "none", "nonoverlap", "off", "one", "center"), "#d62728"),
    "crop_flip": "#2ca02c",
    "pca_lighting": "#9467bd",
    "lrn_literal": "#ff7f0e",
    "sigmoid": "#8c564b",
    "gelu": "#e377c2",
}
#: colours for arms without a fixed one, in order of appearance (no grey: grey is "not learning")
SPARE_COLOURS = ["#17becf", "#bcbd22", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#2ca02c"]
NOT_LEARNING_COLOUR = "#7f7f7f"
FIGSIZE = (10.0, 5.0)
DPI = 100
TITLE_SIZE, PANEL_SIZE, LEGEND_SIZE = 11, 10, 8


def arm_colours(labels: list[str]) -> dict[str, str]:
    """Each arm's colour: its fixed one, else the next spare one in the order given."""
    spare = iter(c for c in SPARE_COLOURS if c not in {ARM_COLOURS.get(x) for x in labels})
    colours = {}
    for label in labels:
        colours[label] = ARM_COLOURS.get(label) or next(spare, "#000000")
    return colours


def usable(record: RunRecord) -> bool:
    """Whether a run counts in an arm's mean curve: it neither diverged, failed nor stalled."""
    return record.status not in ("diverged", "failed") and not record.not_learning


def diverged(record: RunRecord) -> bool:
    """Whether the run stopped because its loss blew up (or failed)."""
    return record.status in ("diverged", "failed")


def panel_name(comparison: Comparison, setting: SettingResult) -> str:
    """The setting's values, or, when nothing but the arms varies, the model and data."""
    if setting.setting:
        return setting.label
    runs = [r for arm in setting.arms for r in arm.every_run]
    return trained_on(runs[0]) if runs else setting.label


def trained_on(record: RunRecord) -> str:
    """``convnet4, cifar10 (5,000 images)``: the model and data a run trained."""
    model = record.choice("model") or record.setting("model")
    data = record.data.get("name") or record.choice("data")
    size = record.train_size
    words = ", ".join(str(w) for w in (model, data) if w) or "all runs"
    return f"{words} ({size:,} images)" if size else words


def num_classes(records: list[RunRecord]) -> int | None:
    """The classes of the runs' data, as the data module stated it."""
    found = [int(r.data["num_classes"]) for r in records if r.data.get("num_classes")]
    return found[0] if found else None


def effect_words(comparison: Comparison, verdict: dict[str, Any] | None) -> str:
    """``tanh/relu = 1.20x [0.95, 1.51]`` or ``overlap better by +5.00 points [+3.1, +6.9]``.

    A ratio whose slower arm has seeds that never reached the target is a lower bound:
    ``tanh/relu = at least 2.73x [≥ 1.90]``.
    """
    if not verdict or "numbers" not in verdict:
        reason = str((verdict or {}).get("reason") or "no effect measured")
        return str((verdict or {}).get("measured") or reason.split("; ")[-1].rstrip("."))
    claim, metric, numbers = comparison.claim, comparison.metric, verdict["numbers"]
    interval = numbers.get("interval")
    if claim is None:
        return str(verdict.get("measured") or "")
    if claim.min_ratio is not None:
        if numbers.get("ratio") is None or (interval is None and verdict.get("measured")):
            # no ratio, or none worth a number: "n/a (neither arm reached the target)"
            return str(verdict.get("measured") or "no ratio")
        slow, fast = (
            (claim.baseline, claim.favoured)
            if metric.lower_is_better
            else (claim.favoured, claim.baseline)
        )
        censored = numbers.get("censored") or {}
        # seeds of the slower arm that never reached the target: the ratio is a lower bound
        bound = "at least " if censored.get(slow) and not censored.get(fast) else ""
        text = f"{slow}/{fast} = {bound}{numbers['ratio']:.2f}x"
        return text + (_bracket(interval, lambda v: f"{v:.2f}", True) if interval else "")
    effect = verdict.get("effect", numbers.get("effect"))
    if effect is None:
        return str(verdict.get("measured") or "")
    text = f"{claim.favoured} {metric.better_word} by {metric.difference(effect)}"
    if interval:
        text += _bracket(interval, lambda v: metric.amount(v, signed=True))
    return text


def _bracket(interval: dict[str, Any], show: Any, ratio: bool = False) -> str:
    """`` [a, b]``; an end a censored run leaves open (null, or 0 for a ratio): ``≥ a``/``≤ b``."""
    low, high = interval.get("low"), interval.get("high")
    if ratio and low == 0:
        low = None
    if low is None and high is None:
        return " [open]"
    if high is None:
        return f" [≥ {show(low)}]"
    if low is None:
        return f" [≤ {show(high)}]"
    return f" [{show(low)}, {show(high)}]"


def verdict_line(comparison: Comparison, verdict: dict[str, Any] | None) -> str:
    """``not reproduced: tanh/relu = 1.20x [0.95, 1.51]`` (the verdict and its effect)."""
    if not verdict:
        return "no verdict"
    return f"{verdict.get('verdict', '?')}: {effect_words(comparison, verdict)}"


def finding_title(comparison: Comparison) -> str:
    """The figure's title: the claim's verdict and effect (one setting) and the paper's number."""
    claim = comparison.claim
    if claim is None:
        return comparison.title
    judged = [s for s in comparison.settings if s.verdict]
    if len(judged) == 1:
        head = f"{claim.id} {verdict_line(comparison, judged[0].verdict)}"
    else:
        head = f"{claim.id}: {claim.title}: verdict per setting (panel titles)"
    return f"{head}\npaper: {claim.paper}"


def new_figure(rows: int, cols: int, height: float = FIGSIZE[1]) -> tuple[Figure, Any]:
    """A ~10-inch-wide figure with ``rows`` x ``cols`` panels (a 2-D array of axes)."""
    return plt.subplots(rows, cols, figsize=(FIGSIZE[0], height), squeeze=False)


def save(fig: Figure, path: Path, title: str, keys: dict[str, Any] | None = None) -> Figure:
    """Title, lay out, write the PNG at :data:`DPI` and its SVG beside it; release the figure.

    The figure stays readable (its artists, for the tests). The SVG keeps its text as text
    (searchable, and what a report's HTML inlines).

    ``keys`` (label -> legend handle) are what every panel shares (the target line, the marks
    of diverged runs): one legend below the panels, off the data.
    """
    fig.suptitle(title, fontsize=TITLE_SIZE)
    bottom = 0.0
    if keys:
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        for ncol in range(min(len(keys), 3), 0, -1):  # as many columns as fit the width
            legend = fig.legend(list(keys.values()), list(keys), loc="lower center", ncol=ncol,
                                fontsize=LEGEND_SIZE, frameon=False)  # fmt: skip
            if ncol == 1 or legend.get_window_extent(renderer).width <= 0.98 * fig.bbox.width:
                break
            legend.remove()
        bottom = (0.2 + 0.18 * math.ceil(len(keys) / ncol)) / fig.get_figheight()
    fig.tight_layout(rect=(0.0, bottom, 1.0, 1.0))
    write_figure(fig, Path(path))
    plt.close(fig)
    return fig


def svg_path(path: Path) -> Path:
    """The vector copy of a figure: ``x.png`` -> ``x.svg``."""
    return Path(path).with_suffix(".svg")


def write_figure(fig: Figure, path: Path, dpi: int = DPI) -> None:
    """Write ``fig`` as ``path`` (a PNG) and as :func:`svg_path`, each whole or not at all."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "alexnet-lab"}):
        with atomic_path(svg_path(path)) as tmp:
            fig.savefig(tmp, format="svg", metadata={"Date": None})
