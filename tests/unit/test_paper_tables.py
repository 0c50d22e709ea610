"""The report's tables for a paper: CSV and LaTeX (booktabs) with the rows report.md shows."""

import csv

from alexnet_lab.record.files import write_record
from alexnet_lab.results.formats.paper_tables import latex_cell
from alexnet_lab.results.formats.tables import arm_table, setting_table
from alexnet_lab.results.page.page import build_results_page
from alexnet_lab.results.report import build_report
from alexnet_lab.results.verdict.compare import compare
from tests.unit.test_docs import broken_links
from tests.unit.test_figures import c1_sweep
from tests.unit.test_results_page import fabricate


def test_a_sweep_writes_its_tables_as_csv_and_latex_with_the_markdown_rows(tmp_path):
    records = c1_sweep()
    for i, record in enumerate(records):
        write_record(tmp_path / str(i) / "record.json", record)
    summary = build_report(tmp_path, quiet=True)
    assert summary["tables"] == [
        "table_arms.csv", "table_arms.tex", "table_comparison.csv", "table_comparison.tex"
    ]  # fmt: skip
    comparison = compare(records, claim_id="C1")
    for name, (headers, rows) in (
        ("table_arms", arm_table(comparison, 0.25)),
        ("table_comparison", setting_table(comparison)),
    ):
        with open(tmp_path / f"{name}.csv", newline="") as f:
            assert list(csv.reader(f)) == [headers, *rows]
        tex = (tmp_path / f"{name}.tex").read_text().splitlines()
        body = tex[tex.index("\\toprule") : tex.index("\\end{tabular}")]
        assert body[0] == "\\toprule" and body[2] == "\\midrule" and body[-1] == "\\bottomrule"
        assert len(body) == 4 + len(rows)
        assert all(line.endswith(r" \\") and line.count(" & ") == len(headers) - 1
                   for line in [body[1], *body[3:-1]])  # fmt: skip
        assert tex[tex.index("\\toprule") - 1] == "\\begin{tabular}{" + "l" * len(headers) + "}"
    report = (tmp_path / "report.md").read_text()
    assert "[table_arms.tex](table_arms.tex)" in report
    tex = (tmp_path / "table_arms.tex").read_text()
    assert r"25\% train error" in tex and r"$>$5.5 $\pm$ 4.4" in tex  # nothing left unescaped


def test_latex_cells_escape_what_latex_reads_as_commands():
    assert latex_cell("a_b & 5% #1 {x} ~2 ≥ 3 ≤ 4 ± 1") == (
        r"a\_b \& 5\% \#1 \{x\} $\sim$2 $\geq$ 3 $\leq$ 4 $\pm$ 1"
    )
    assert latex_cell("**reproduced** `x`") == r"\textbf{reproduced} x"


def test_the_results_page_writes_its_summary_table_as_csv_and_latex(tmp_path):
    root, out = tmp_path / "runs", tmp_path / "docs"
    fabricate(root)
    build_results_page(root, out, title="Results")
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:4] == ["claim", "paper", "measured", "verdict"]
    assert [r[0] for r in rows[1:]] == ["C1", "C3"]
    assert rows[1][3] in ("reproduced", "inconclusive", "not reproduced")  # no ** around it
    assert "\\textbf{" in (out / "results.tex").read_text()
    # the sweeps' reports copied beside the page link their tables there too
    report = (out / "c1-report.md").read_text()
    assert "[table_arms.csv](c1-table_arms.csv)" in report
    assert [bad for page in out.glob("*-report.md") for bad in broken_links(page)] == []
