"""The docs hold together: every relative link in README.md and docs/ resolves (file and
heading), and no file a user sees points at things only the developers' own machines have."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What a user's clone does not have, written in pieces so that this file does not match itself:
# the developers' data folder beside the checkout, the spec sheet the docs/claims.md page
# replaced, and words about the developers' own machines and sessions.
FORBIDDEN = [
    re.escape(".." + "/shared"),
    re.escape("/work" + "/shared"),
    re.escape("paper" + ".md"),
    r"this project" + r"['’]s\b",
    r"\b(was|were|been) " + r"lent\b",
    r"\blent to " + r"this",
    r"\bno GPU (was|is) " + r"(lent|available)\b",
    r"\bsessions " + r"so far\b",
]
# Files whose owners are changing them right now; each still to be cleaned.
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".cfg", ".txt", ".sh", ""}
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")  # [text](target) and ![alt](image)


def files_a_user_sees() -> list[str]:
    """Tracked files (and new ones not yet committed) outside .ci/, which may name the
    developers' setup."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(
        f
        for f in set(out.stdout.split())
        if not f.startswith(".ci/") and Path(f).suffix in TEXT_SUFFIXES and (ROOT / f).is_file()
    )


def forbidden_mentions(text: str) -> list[str]:
    """The forbidden phrases found in ``text``, with a little of their context."""
    found = []
    for pattern in FORBIDDEN:
        for match in re.finditer(pattern, text, flags=re.IGNORECASE):
            found.append(text[max(0, match.start() - 30) : match.end() + 30].replace("\n", " "))
    return found


def test_the_forbidden_phrases_are_found_where_they_occur():
    assert forbidden_mentions("see " + "paper" + ".md, section 3")
    assert forbidden_mentions("unpack ../" + "shared/data/cifar10-jpg.tar.xz")
    assert forbidden_mentions("on this " + "project's 2-core CPU machine")
    assert forbidden_mentions("no GPU was " + "lent to the sessions")
    assert forbidden_mentions("GPU was " + "lent " + "to " + "this project")
    assert not forbidden_mentions("docs/claims.md; a 2-core AMD EPYC CPU, 2026-11-25")


def test_no_file_a_user_sees_names_the_developers_own_setup():
    bad = {}
    for name in files_a_user_sees():
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found = forbidden_mentions(text)
        if found:
            bad[name] = found
    assert not bad, f"these files name things a user's clone lacks: {bad}"


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[`*_]{2,}|`", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The heading anchors of a Markdown file (fenced code skipped)."""
    found, fenced = set(), False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6} (.+)", line)):
            found.add(slug(match.group(1)))
    return found


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def broken_links(page: Path) -> list[str]:
    """The relative links of ``page`` whose file or heading does not exist."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    bad = []
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            bad.append(f"{target} (no such file)")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            bad.append(f"{target} (no such heading in {file.name})")
    return bad


def test_the_link_check_finds_a_broken_file_and_a_broken_heading(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## Weights & Biases (W&B)\n")
    page.write_text(
        "[ok](other.md#weights--biases-wb) [gone](missing.md) [bad](other.md#nope) "
        "[web](https://example.org/x) ![fig](fig.png)\n```\n[code](skipped.md)\n```\n"
    )
    assert broken_links(page) == [
        "missing.md (no such file)",
        "other.md#nope (no such heading in other.md)",
        "fig.png (no such file)",
    ]


def test_every_relative_link_in_the_readme_and_docs_resolves():
    bad = {p.relative_to(ROOT).as_posix(): broken_links(p) for p in markdown_files()}
    assert not {k: v for k, v in bad.items() if v}


def test_the_readme_links_every_page_of_the_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pages = [p.name for p in (ROOT / "docs").glob("*.md") if not re.search(r"-report\.md$", p.name)]
    missing = [name for name in pages if f"docs/{name}" not in readme and name != "paper_report.md"]
    assert not missing, f"docs pages the README does not link: {missing}"


def test_ci_runs_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]' && nox"
    assert command in readme.splitlines()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    steps = [line for line in ci if line and not line.startswith("#")]
    assert steps[-1] == "pip install -e '.[dev]' && nox"
    assert "python3 -m venv .venv" in steps and ". .venv/bin/activate" in steps
