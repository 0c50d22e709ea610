"""The report's tables for a paper: CSV and a LaTeX ``tabular`` (booktabs) beside report.md.

The same rows as report.md and the terminal (:mod:`alexnet_lab.results.formats.tables`), so
the three never disagree: ``table_arms`` (one row per setting and arm) and ``table_comparison``
(one row per setting: the two arms, the effect with its interval, the verdict).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from alexnet_lab.record.atomic import write_text
from alexnet_lab.results.formats.tables import Table, arm_table, setting_table
from alexnet_lab.results.verdict.arms import Comparison

ARMS, COMPARISON = "table_arms", "table_comparison"
#: characters LaTeX reads as commands, and the Unicode the tables use, as LaTeX
LATEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"$\sim$",
    "^": r"\textasciicircum{}",
    "±": r"$\pm$",
    "≥": r"$\geq$",
    "≤": r"$\leq$",
    "×": r"$\times$",
    "<": r"$<$",
    ">": r"$>$",
    "→": r"$\to$",
}


def plain_cell(cell: str) -> str:
    """A cell without the Markdown the report uses (``**bold**``, ```code```)."""
    return re.sub(r"\*\*([^*]+)\*\*", r"\1", cell).replace("`", "")


def csv_text(table: Table) -> str:
    """The table as CSV: a header row, then one row per table row (plain text cells)."""
    headers, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([plain_cell(h) for h in headers])
    writer.writerows([[plain_cell(c) for c in row] for row in rows])
    return buffer.getvalue()


def latex_cell(cell: str) -> str:
    r"""A cell as LaTeX: special characters escaped, bold kept as ``\textbf``."""
    parts = re.split(r"(\*\*[^*]+\*\*)", cell.replace("`", ""))
    out = []
    for part in parts:
        bold = part.startswith("**") and part.endswith("**") and len(part) > 4
        text = "".join(LATEX.get(ch, ch) for ch in (part[2:-2] if bold else part))
        out.append(f"\\textbf{{{text}}}" if bold else text)
    return "".join(out)


def latex_text(table: Table, comment: str = "") -> str:
    r"""The table as a LaTeX ``tabular`` with booktabs rules (``\usepackage{booktabs}``)."""
    headers, rows = table
    lines = [f"% {line}" for line in comment.splitlines()]
    lines += [
        "% needs \\usepackage{booktabs}",
        f"\\begin{{tabular}}{{{'l' * len(headers)}}}",
        "\\toprule",
        " & ".join(latex_cell(h) for h in headers) + r" \\",
        "\\midrule",
        *(" & ".join(latex_cell(c) for c in row) + r" \\" for row in rows),
        "\\bottomrule",
        "\\end{tabular}",
    ]
    return "\n".join(lines) + "\n"


def write_table(table: Table, folder: Path, name: str, comment: str = "") -> list[str]:
    """Write ``name.csv`` and ``name.tex`` into ``folder``; their file names."""
    write_text(Path(folder) / f"{name}.csv", csv_text(table))
    write_text(Path(folder) / f"{name}.tex", latex_text(table, comment))
    return [f"{name}.csv", f"{name}.tex"]


def write_tables(comparison: Comparison, target: float | None, folder: Path) -> list[str]:
    """The sweep's per-arm table and (with a claim) its comparison table; the files written.

    A comparison file left from an earlier report of a sweep without a claim is removed.
    """
    title = comparison.title
    files = write_table(arm_table(comparison, target), folder, ARMS, f"{title}: per arm")
    if comparison.claim:
        files += write_table(
            setting_table(comparison), folder, COMPARISON, f"{title}: the arms compared"
        )
    else:
        for suffix in (".csv", ".tex"):
            (Path(folder) / f"{COMPARISON}{suffix}").unlink(missing_ok=True)
    return files
