"""The results page's paper-vs-measured chart: every claim, the measured effect with its
interval, the paper's number, read from the chart's artists (not a picture of a table)."""

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from alexnet_lab.results.figures.paper import paper_figure
from alexnet_lab.results.page.paper_report import paper_rows
from alexnet_lab.results.verdict.claims import CLAIMS
from tests.unit.test_results_page import fabricate


def drawn(ax, gid):
    return [(x, y) for line in ax.lines if line.get_gid() == gid
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)]  # fmt: skip


def test_the_chart_has_a_panel_per_claim_with_paper_and_measured_and_the_interval(tmp_path):
    fabricate(tmp_path / "runs")
    rows, _ = paper_rows(tmp_path / "runs")
    fig = paper_figure(rows, tmp_path / "paper_report.png")
    assert (tmp_path / "paper_report.png").exists() and (tmp_path / "paper_report.svg").exists()
    axes = dict(zip(CLAIMS, fig.axes, strict=True))
    assert [ax.get_title(loc="left")[:3] for ax in fig.axes] == [f"{c}:" for c in CLAIMS]
    # C1: the ratio, its interval, the paper's ~6x and the claim's 2x threshold, on a log axis
    c1 = axes["C1"]
    verdict = next(r for r in rows if r["claim"] == "C1")["summary"]["settings"][0]["verdict"]
    numbers = verdict["numbers"]
    assert drawn(c1, "measured") == [(pytest.approx(numbers["ratio"]), 0)]
    (interval,) = [line for line in c1.lines if line.get_gid() == "interval"]
    assert list(interval.get_xdata()) == pytest.approx(
        [numbers["interval"]["low"], numbers["interval"]["high"]]
    )
    assert drawn(c1, "paper") == [(6.0, 0)] and c1.get_xscale() == "log"
    assert [line.get_xdata()[0] for line in c1.lines if line.get_gid() == "threshold"] == [2.0]
    label = c1.get_yticklabels()[0].get_text().replace("\n", " ")
    assert "synthetic (512)" in label and "init paper, scale raw" in label and "10 epochs" in label
    assert any(t.get_text().startswith(verdict["verdict"]) for t in c1.texts)
    # C3: a difference in points, the paper's 0.4 points
    c3 = axes["C3"]
    c3_verdict = next(r for r in rows if r["claim"] == "C3")["summary"]["settings"][0]["verdict"]
    assert drawn(c3, "measured") == [(pytest.approx(100 * c3_verdict["effect"]), 0)]
    assert drawn(c3, "paper") == [(pytest.approx(100 * CLAIMS["C3"].paper_effect), 0)]
    # the claims with no sweep say so
    for claim in ("C2", "C4", "C5", "C6", "C7"):
        assert [t.get_text() for t in axes[claim].texts] == ["not run here"]
    renderer = FigureCanvasAgg(fig).get_renderer()
    (legend,) = fig.legends
    box = legend.get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width
