"""Figures that tell the truth at a glance, read from the figures' artists (not pixels):
markers and a sane axis for one epoch, "at least" for a bound, a mark where a curve never
reached the target, censored values apart from the mean line, every line explained in a
legend that fits the figure, runs that did not learn in grey, errors in percent."""

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex

from alexnet_lab.results.figures.curves import plot_training_curves
from alexnet_lab.results.figures.final_errors import plot_final_errors
from alexnet_lab.results.figures.lr_sensitivity import plot_lr_sensitivity
from alexnet_lab.results.figures.style import NOT_LEARNING_COLOUR, arm_colours
from alexnet_lab.results.verdict.compare import compare
from tests.unit.test_figures import c1_sweep, run

#: what explains a line that has no label of its own: its gid -> the start of a legend entry
EXPLAINED = {
    "other": "other lrs", "stuck": "not learning", "diverged": "diverged",
    "diverged_run": "diverged", "seeds": "seed", "target": "target", "chance": "chance",
    "not_reached": "never reached", "censored": "seed that never reached",
    "censored_mean": "mean over such seeds", "chosen": "chosen", "not_learning": "did not learn",
    "stopped": "stopped", "budget": "epoch budget",
}  # fmt: skip


def slow_tanh():
    """relu reaches 25% at epochs 3-4; tanh at 9, but its third seed never (censored).

    At lr 0.001 (not chosen) neither arm reaches the target.
    """
    return [run("relu", "0.01", s, 3 + s % 2) for s in range(3)] + [
        *(run("tanh", "0.01", s, 9 if s < 2 else None) for s in range(3)),
        *(run(arm, "0.001", s, None) for arm in ("relu", "tanh") for s in range(3)),
    ]


def mean_lines(ax, arm):
    return [line for line in ax.lines if line.get_label().startswith(f"{arm} (")]


def test_one_epoch_curves_have_markers_and_an_axis_around_the_epoch(tmp_path):
    records = [run(a, "0.01", s, None, stop=1) for a in ("relu", "tanh") for s in range(2)]
    for record in records:
        record.settings["max_epochs"] = 1
    fig = plot_training_curves(compare(records, claim_id="C1"), 0.25, tmp_path / "c.png")
    (ax,) = fig.axes
    for arm in ("relu", "tanh"):
        (line,) = mean_lines(ax, arm)
        assert list(line.get_xdata()) == [1] and line.get_marker() not in ("None", "", None)
        assert line.get_markersize() >= 4
    low, high = ax.get_xlim()
    assert low <= 0.5 and high >= 1.5  # not 0.945 to 1.05
    assert [t for t in ax.get_xticks() if low <= t <= high] == [1]


def test_a_ratio_that_is_a_lower_bound_says_at_least_in_every_title(tmp_path):
    comparison = compare(slow_tanh(), claim_id="C1")
    ratio = comparison.settings[0].verdict["numbers"]["ratio"]
    for fig in (
        plot_training_curves(comparison, 0.25, tmp_path / "c.png"),
        plot_final_errors(comparison, tmp_path / "e.png", 0.25),
        plot_lr_sensitivity(comparison, 0.25, tmp_path / "l.png"),
    ):
        assert f"tanh/relu = at least {ratio:.2f}x" in fig._suptitle.get_text()


def test_a_mean_curve_whose_seeds_did_not_all_reach_the_target_ends_with_a_mark(tmp_path):
    fig = plot_training_curves(compare(slow_tanh(), claim_id="C1"), 0.25, tmp_path / "c.png")
    (ax,) = fig.axes
    marks = [line for line in ax.lines if line.get_gid() == "not_reached"]
    (mark,) = marks  # tanh's only: every relu seed reached the target
    (tanh,) = mean_lines(ax, "tanh")
    assert to_hex(mark.get_color()) == arm_colours(["tanh"])["tanh"]
    assert (mark.get_xdata()[0], mark.get_ydata()[0]) == (
        tanh.get_xdata()[-1],
        tanh.get_ydata()[-1],
    )
    assert any("1 of 3 never reached" in t.get_text() for t in ax.texts)
    (legend,) = fig.legends
    assert any(t.get_text().startswith("never reached") for t in legend.get_texts())


def test_the_lr_figure_keeps_censored_means_off_the_line_and_the_arms_apart(tmp_path):
    records = [run(a, lr, s, r) for a in ("relu", "tanh") for s in range(3)
               for lr, r in (("0.001", None), ("0.01", 4 if a == "relu" else 8))]  # fmt: skip
    fig = plot_lr_sensitivity(compare(records, claim_id="C1"), 0.25, tmp_path / "l.png")
    speed = fig.axes[0]
    for arm in ("relu", "tanh"):
        (line,) = mean_lines(speed, arm)
        ys = list(line.get_ydata())
        assert ys[0] != ys[0] and ys[1] == pytest.approx(4 if arm == "relu" else 8)  # NaN: apart
    bounds = [line for line in speed.lines if line.get_gid() == "censored_mean"]
    points = [
        (x, y) for line in bounds for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)
    ]
    assert sorted(y for _, y in points) == [12, 12]  # each arm's mean: at least the budget
    assert all(line.get_markerfacecolor() in ("white", "w", (1, 1, 1, 1)) for line in bounds)
    # the two arms' marks at lr 0.001 sit apart by more than a marker: neither hides the other
    pixels = [speed.transData.transform(p)[0] for p in points]
    size = max(line.get_markersize() for line in bounds) * fig.dpi / 72
    assert abs(pixels[0] - pixels[1]) > size


def three_figures(tmp_path, stopped=False):
    records = c1_sweep()
    if stopped:  # two runs that ended at the target (stop_at_target): one more legend key
        records += [run("relu", "0.001", s, 9, stop=9).replace(stopped_at_target=True)
                    for s in (4, 5)]  # fmt: skip
    comparison = compare(records, claim_id="C1")
    return (
        plot_training_curves(comparison, 0.25, tmp_path / "c.png"),
        plot_lr_sensitivity(comparison, 0.25, tmp_path / "l.png"),
        plot_final_errors(comparison, tmp_path / "e.png", 0.25),
    )


def test_every_line_is_labelled_or_explained_in_a_legend(tmp_path):
    for fig in three_figures(tmp_path):
        shared = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
        # the arms' keys: a panel's own legend (the row's first panel, in the lr figure)
        own = [t.get_text() for ax in fig.axes if ax.get_legend()
               for t in ax.get_legend().get_texts()]  # fmt: skip
        for ax in fig.axes:
            for line in ax.lines:
                if not len(line.get_xdata()):
                    continue  # nothing drawn
                label, gid = line.get_label(), line.get_gid()
                if not label.startswith("_"):
                    assert label in own, label
                else:
                    assert gid in EXPLAINED, (fig._suptitle.get_text()[-40:], gid)
                    assert any(t.startswith(EXPLAINED[gid]) for t in shared), (gid, shared)


def test_no_legend_is_clipped(tmp_path):
    for fig in three_figures(tmp_path, stopped=True):
        renderer = FigureCanvasAgg(fig).get_renderer()  # the figure was closed
        legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
        for legend in legends:
            box = legend.get_window_extent(renderer)
            assert box.x0 >= 0 and box.y0 >= 0, box
            assert box.x1 <= fig.bbox.width + 1 and box.y1 <= fig.bbox.height + 1, box


def test_a_run_that_did_not_learn_is_grey_in_every_figure(tmp_path):
    comparison = compare(c1_sweep(), claim_id="C1")  # relu's fourth seed at lr 0.01 stalled
    speed = plot_lr_sensitivity(comparison, 0.25, tmp_path / "l.png").axes[0]
    grey = [line for line in speed.lines if line.get_gid() == "not_learning"]
    assert sum(len(line.get_xdata()) for line in grey) == 1
    assert {to_hex(line.get_color()) for line in grey} == {NOT_LEARNING_COLOUR}
    curves = plot_training_curves(comparison, 0.25, tmp_path / "c.png").axes[0]
    (stuck,) = [line for line in curves.lines if line.get_gid() == "stuck"]
    assert to_hex(stuck.get_color()) == NOT_LEARNING_COLOUR and stuck.get_linestyle() == ":"
    errors = plot_final_errors(comparison, tmp_path / "e.png", 0.25).axes[0]
    seeds = [line for line in errors.lines if line.get_gid() == "seeds"]
    assert sum(to_hex(line.get_color()) == NOT_LEARNING_COLOUR for line in seeds) == 1


def test_the_training_curves_are_in_percent(tmp_path):
    fig = plot_training_curves(compare(c1_sweep(), claim_id="C1"), 0.25, tmp_path / "c.png")
    (ax,) = fig.axes
    (relu,) = mean_lines(ax, "relu")
    assert 20 < min(relu.get_ydata()) < 30 and ax.get_ylim() == (0, 100)
    (target,) = [line for line in ax.lines if line.get_gid() == "target"]
    assert list(target.get_ydata()) == [25, 25] and "%" in ax.get_ylabel()
