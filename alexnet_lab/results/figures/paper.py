"""``paper_report.png``: the paper's claims beside the measured numbers, text wrapped, not cut.

Each row carries what the measured number is conditional on (data set, its size, init and
input scale, the epoch budget and target), so that a number on a small set stands visibly
apart from the paper's.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from alexnet_lab.record.atomic import atomic_path  # noqa: E402

VERDICT_COLOURS = {
    "reproduced": "#b7e1b0",
    "not reproduced": "#f4b6b0",
    "inconclusive": "#f6e3a1",
    "per setting": "#cfd8f0",
}
#: (heading, row key, width in characters)
COLUMNS = [
    ("claim", "claim", 6),
    ("paper", "paper", 42),
    ("measured here", "measured", 40),
    ("verdict", "verdict", 15),
    ("data (train images)", "data_size", 20),
    ("start", "start", 18),
    ("budget", "budget", 20),
]
CHAR_IN = 0.066  # inches per character at FONT points (a proportional font, with slack)
LINE_IN = 0.15  # inches per line
FONT = 8


def cell_lines(row: dict[str, Any]) -> list[list[str]]:
    """The row's cells, each wrapped to its column's width (nothing cut)."""
    values = dict(row, data_size=f"{row.get('data', '?')} ({row.get('train_size', '?')})")
    return [
        textwrap.wrap(str(values.get(key) or "-"), width=width - 1) or ["-"]
        for _, key, width in COLUMNS
    ]


def paper_figure(rows: list[dict[str, Any]], path: Path, title: str | None = None) -> Path:
    """Draw ``rows`` (from ``paper_report.paper_rows``) as a wrapped table into ``path``."""
    wrapped = [cell_lines(r) for r in rows]
    heights = [max(len(c) for c in cells) + 0.6 for cells in wrapped]
    total_chars = sum(w for *_, w in COLUMNS)
    total_lines = sum(heights) + 3.2
    fig = plt.figure(figsize=(total_chars * CHAR_IN, total_lines * LINE_IN))
    ax = fig.add_axes((0.01, 0.0, 0.98, 1.0))
    ax.set_xlim(0, total_chars)
    ax.set_ylim(total_lines, 0)
    ax.axis("off")
    starts = [sum(w for *_, w in COLUMNS[:i]) for i in range(len(COLUMNS))]
    ax.text(0, 0.9, title or "AlexNet (2012) claims: measured here vs the paper",
            fontsize=FONT + 2, weight="bold", va="center")  # fmt: skip
    for (heading, _, _), x in zip(COLUMNS, starts, strict=True):
        ax.text(x + 0.4, 2.2, heading, fontsize=FONT, weight="bold", va="center")
    ax.axhline(2.8, color="black", lw=0.8)
    y = 2.8
    for row, cells, height in zip(rows, wrapped, heights, strict=True):
        colour = VERDICT_COLOURS.get(str(row.get("verdict")))
        if colour:
            verdict_col = [k for _, k, _ in COLUMNS].index("verdict")
            width = COLUMNS[verdict_col][2]
            ax.add_patch(Rectangle((starts[verdict_col], y), width, height, color=colour, lw=0))
        for lines, x in zip(cells, starts, strict=True):
            ax.text(x + 0.4, y + 0.3, "\n".join(lines), fontsize=FONT, va="top",
                    linespacing=1.25)  # fmt: skip
        y += height
        ax.axhline(y, color="#bbbbbb", lw=0.5)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return Path(path)
