"""report.html and results.html: one self-contained file each, the verdict first, figures
inlined, the odd runs named, the commands that resume or extend the sweep."""

from html.parser import HTMLParser

from alexnet_lab.record.files import write_record
from alexnet_lab.results.page.page import build_results_page
from alexnet_lab.results.report import build_report
from tests.unit.test_figures import c1_sweep
from tests.unit.test_results_page import fabricate


class Tags(HTMLParser):
    """The tags of a page in order, with their attributes, and the text of each heading."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("h1", "h2", "h3") else None

    def handle_data(self, data):
        if self._in:
            self.headings.append(data.strip())
            self._in = None


def parse(path):
    tags = Tags()
    tags.feed(path.read_text(encoding="utf-8"))
    return tags


def assert_self_contained(tags):
    names = [t for t, _ in tags.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names
    for tag, attrs in tags.tags:
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, value)
            if tag == "img":
                assert value.startswith("data:") or key != "src", value


def write_c1(folder):
    for i, record in enumerate(c1_sweep()):
        write_record(folder / str(i) / "record.json", record)


def test_a_sweep_writes_a_self_contained_report_html_with_the_verdict_first(tmp_path):
    write_c1(tmp_path)
    summary = build_report(tmp_path, quiet=True)
    page = tmp_path / "report.html"
    tags = parse(page)
    assert_self_contained(tags)
    names = [t for t, _ in tags.tags]
    verdict = next(i for i, (t, a) in enumerate(tags.tags) if a.get("id") == "verdict")
    assert verdict < names.index("table")  # the verdict before the tables and figures
    assert names.count("svg") == len(summary["figures"]) == 3  # every figure inlined
    assert tags.headings[:3] == [tags.headings[0], "Verdict", "Results"]
    text = page.read_text()
    assert "inconclusive" in text[: text.index("<table")]
    for heading in (
        "What ran",
        "Runs that did not complete",
        "Runs that did not learn",
        "Runs that never reached the target (censored)",
        "Resume or extend",
    ):
        assert heading in tags.headings, heading
    # the diverged runs and the censored ones by their records; held fixed said
    for record in summary["failed_runs"]:
        assert f"<code>{record['record']}</code>" in text
    assert "activation=tanh optim.lr=0.001 seed=0" in text  # never reached the target
    assert "held fixed: model: convnet4" in text
    assert "resume=true" in text and "seed=0,1,2,3,4,5" in text  # two more seeds
    assert f"hydra.sweep.dir={tmp_path.resolve()}" in text


def test_the_results_page_has_a_self_contained_html_beside_it(tmp_path):
    root, out = tmp_path / "runs", tmp_path / "docs"
    fabricate(root)
    build_results_page(root, out, title="Results")
    page = out / "results.html"
    tags = parse(page)
    assert_self_contained(tags)
    assert tags.headings[:2] == ["Results", "Summary"]
    text = page.read_text()
    summary = text[text.index('id="verdict"') : text.index("</section>")]
    assert "<td>C1</td>" in summary and "<td>C3</td>" in summary
    names = [t for t, _ in tags.tags]
    # the chart, and each of the two sweeps' figures (C1: three, C3: two)
    assert names.count("svg") == 1 + 3 + 2 and "img" not in names
    assert (out / "c1-training_curves.svg").exists()
