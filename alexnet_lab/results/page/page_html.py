"""``results.html``: the results page as one self-contained file, beside ``results.md``.

The same content as the Markdown page (:mod:`alexnet_lab.results.page.page`): the summary table
first, the paper-vs-measured chart, the claims not run, then one section per sweep with its
figures inlined (SVG), so that the file opens anywhere with nothing beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alexnet_lab.results.formats.html import (
    esc,
    figure,
    inline,
    markdown_lines,
    markdown_sections,
    page,
    table,
)


def summary_rows(markdown: list[str]) -> tuple[list[str], list[list[str]]]:
    """The page's Markdown summary table (``page.summary_table``) as headers and rows."""

    def cells(line: str) -> list[str]:
        parts = line.strip().strip("|").replace("\\|", "\0").split("|")
        return [p.strip().replace("\0", "|") for p in parts]

    return cells(markdown[0]), [cells(line) for line in markdown[2:]]


def render_page_html(
    title: str,
    generated: str,
    summary: list[str],
    chart: Path,
    sections: list[tuple[str, list[str], list[Path]]],
    extra: list[str],
) -> str:
    """The whole page: title, how it was made, summary table, chart, sections with figures.

    ``summary``: the Markdown summary table's lines; ``chart``: the paper-vs-measured PNG
    (its SVG beside it is inlined); ``sections``: (heading, Markdown lines, figure PNGs) per
    sweep; ``extra``: Markdown lines (claims not run, sweeps left out) after the chart.
    """
    parts = [f"<h1>{esc(title)}</h1>", f"<p>{inline(generated)}</p>"]
    parts.append('<section id="verdict"><h2>Summary</h2>')
    parts.append(table(*summary_rows(summary)) + "</section>")
    parts.append(figure(chart, "The paper's number against the one measured here, per claim"))
    parts.append(markdown_sections(extra))
    parts.append("<h2>Claims</h2>")
    for heading, lines, figures in sections:
        parts.append(f"<h3>{inline(heading)}</h3>{markdown_lines(lines)}")
        parts += [figure(png, f"{heading}: {png.stem.replace('_', ' ')}") for png in figures]
    return page(title, "\n".join(parts))


def section_parts(lines: list[str]) -> tuple[str, list[str]]:
    """A sweep's Markdown section (``page.sweep_section``): its heading and its bullet lines."""
    heading = lines[0].removeprefix("### ")
    body = [line for line in lines[1:] if not line.startswith("![")]
    return heading, body


def sweep_figures(row: dict[str, Any]) -> list[Path]:
    """The sweep's own figure files (their SVGs inline), in the order its summary lists them."""
    names = row["summary"].get("figures") or []
    return [Path(row["sweep_dir"]) / name for name in names]
