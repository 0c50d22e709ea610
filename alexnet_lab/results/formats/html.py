"""Self-contained HTML: one file, its figures inlined, no script, no network, no external CSS.

The pieces every HTML report shares: the page around a body, tables, the report's Markdown
lines (bullets, ``**bold**``, ```code```, links) as HTML, and figures inlined as SVG (their
text stays text), else as a base64 PNG.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable
from pathlib import Path

from alexnet_lab.results.figures.style import svg_path

#: the whole style sheet: readable without it, nothing loaded from elsewhere
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 1.2rem auto;
       padding: 0 1rem; line-height: 1.45; color: #111; }
h1 { font-size: 1.5rem; margin: 0.2rem 0 0.6rem; }
h2 { font-size: 1.2rem; margin-top: 1.6rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; margin-top: 1.3rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.88rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.85rem; background: #f6f6f6; }
pre { padding: 0.5rem; white-space: pre-wrap; word-break: break-all; }
figure { margin: 1rem 0; }
figure svg, figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.85rem; color: #555; }
.verdict { border-left: 0.4rem solid #888; background: #fafafa; padding: 0.4rem 0.9rem; }
.reproduced { border-color: #3a9a3a; } .not-reproduced { border-color: #c8362b; }
.inconclusive { border-color: #d4a017; } .per-setting { border-color: #4a6fb5; }
.files a { margin-right: 1rem; }
"""


def esc(text: object) -> str:
    """``text`` escaped for HTML (quotes too)."""
    return html.escape(str(text), quote=True)


def inline(text: str) -> str:
    """One line of the report's Markdown as HTML: escaped, with bold, code and links."""
    out = esc(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![\w*])\*([^*]+)\*(?![\w*])", r"<em>\1</em>", out)
    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', out)


def markdown_lines(lines: Iterable[str]) -> str:
    """The report's Markdown lines (paragraphs, ``- `` bullets, ``  - `` sub-bullets) as HTML."""
    out: list[str] = []
    depth = 0
    for line in lines:
        match = re.match(r"^( *)- (.*)$", line)
        level = len(match.group(1)) // 2 + 1 if match else 0
        while depth > level:
            out.append("</li></ul>")
            depth -= 1
        if match:
            if depth == level:
                out.append("</li>")
            while depth < level:
                out.append("<ul>")
                depth += 1
            out.append(f"<li>{inline(match.group(2))}")
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
    out += ["</li></ul>"] * depth
    return "\n".join(out)


def markdown_sections(lines: Iterable[str]) -> str:
    """Markdown lines with ``## `` headings (sections of a report) as HTML."""
    out: list[str] = []
    block: list[str] = []
    for line in [*lines, "## "]:
        if line.startswith("## "):
            out.append(markdown_lines(block))
            block = []
            if line[3:]:
                out.append(f"<h2>{inline(line[3:])}</h2>")
        else:
            block.append(line)
    return "\n".join(o for o in out if o)


def table(headers: list[str], rows: list[list[str]], caption: str | None = None) -> str:
    """An HTML table of text cells (escaped; Markdown bold and code kept)."""
    head = "".join(f"<th>{inline(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure(path: Path, caption: str) -> str:
    """The figure at ``path`` (a PNG) inlined: its SVG beside it, else the PNG in base64.

    An absent figure is said in words, so that a page never points at a missing file.
    """
    path = Path(path)
    svg = svg_path(path)
    if svg.exists():
        text = svg.read_text(encoding="utf-8")
        body = text[text.index("<svg") :]  # no XML prolog or DOCTYPE inside HTML
        body = body.replace("<svg ", f'<svg role="img" aria-label="{esc(caption)}" ', 1)
    elif path.exists():
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        body = f'<img alt="{esc(caption)}" src="data:image/png;base64,{data}">'
    else:
        return f"<p>(figure {esc(path.name)} is missing: rebuild the report)</p>"
    return f'<figure class="figure">{body}<figcaption>{esc(caption)}</figcaption></figure>'


def verdict_class(verdict: str | None) -> str:
    """The CSS class of a verdict's box: ``verdict reproduced``, ``verdict inconclusive``..."""
    return ("verdict " + (verdict or "").replace(" ", "-")).strip()


def page(title: str, body: str) -> str:
    """A whole HTML document: ``title``, the inline style sheet and ``body``; nothing else."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )
