"""The docs hold together: every relative link in README.md and docs/ resolves (file and
heading), no file a user sees points at things only the developers' own machines have, and the
statements that once drifted apart (the main job, CI's time, init=paper, undated times, the lr
grids and estimates) agree with each other and with the code."""

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


# Numbers that cannot drift: each statement below was once said two ways, or went stale.

CI_TIME = "26 min (1,566 s) on a 2-core AMD EPYC CPU, 2026-11-30"
INIT_PAPER = (
    "weights N(0, 0.01), biases 1 in conv2, conv4, conv5, fc6 and fc7 (alexnet, alexnet_cifar; "
    "fc6 and fc7 of convnet4_fc) and 0 elsewhere; convnet4, convnet4_towers and convnet_local "
    "have none of those layers, so all their biases are 0"
)
DURATION = re.compile(r"\b\d[\d,.]*(?:-\d[\d,.]*)? ?(?:s|min|minutes|hours?|h|days?)\b")
DATE = re.compile(r"\b2026-\d\d\b")


def guide_pages() -> list[Path]:
    """README.md and the hand-written docs pages (not the generated results and reports)."""
    generated = re.compile(r"^(results|paper_report)\.md$|-report\.md$")
    return [p for p in markdown_files() if not generated.search(p.name)]


def flat(text: str) -> str:
    """``text`` with every run of whitespace (line breaks of wrapped Markdown) one space."""
    return re.sub(r"\s+", " ", text)


def readme_by_hand() -> str:
    """The README without its code blocks and without the section generated from the records
    ("Results on the paper's data", regenerated by ``alexnet-lab-report``)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    text = re.sub(r"^## Results on the paper's data\n.*?(?=^## )", "", text, flags=re.M | re.S)
    return re.sub(r"```.*?```", "", text, flags=re.DOTALL)


def ci_times(text: str) -> list[str]:
    """Every 'CI ... N min' statement in ``text``: the duration that follows each mention."""
    pattern = r"\bCI\b(?:(?!\. )[^|])*?\b(\d+(?:\.\d+)?) ?min"
    return re.findall(pattern, flat(text))


def undated_durations(text: str) -> list[str]:
    """Paragraphs and table rows of ``text`` that give a time but neither a date nor 'est.'."""
    found = []
    for paragraph in re.split(r"\n\s*\n", text):
        rows = paragraph.splitlines() if paragraph.lstrip().startswith("|") else [paragraph]
        for unit in rows:
            dated = DATE.search(unit) or re.search(r"\best\.|\bestimated\b", unit)
            if DURATION.search(unit) and not dated:
                found.append(flat(unit)[:120])
    return found


def main_job(text: str) -> str:
    """The ``alexnet-lab experiment=relu_vs_tanh data=fashion_mnist ...`` command in ``text``."""
    commands = re.findall(r"alexnet-lab experiment=relu_vs_tanh data=fashion_mnist[^\n`]*", text)
    assert len(commands) == 1, commands
    return commands[0].strip()


def test_the_checks_find_what_they_look_for():
    assert ci_times("CI's whole run\n34.9 min on 2026-11-30, then 26 min") == ["34.9"]
    assert ci_times("| CI | ... | 37.5 min on a slower day |") == []  # one table cell at a time
    assert undated_durations("Installing takes 2-3 minutes.\n\n| x | 12.7 s |") == [
        "Installing takes 2-3 minutes.",
        "| x | 12.7 s |",
    ]
    assert not undated_durations("took 91 s on a CPU, 2026-11-30\n\n| 32 h (est.) |")
    command = "alexnet-lab experiment=relu_vs_tanh data=fashion_mnist seed=0,1"
    assert main_job(f"run `{command}` now") == command


def test_help_gives_the_readmes_main_job():
    from alexnet_lab.help import bare_help

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**The main job**") : readme.index("**The tests**")]
    help_text = bare_help(["--help"], ROOT / "conf")
    assert help_text is not None
    assert main_job(help_text) == main_job(section)
    assert "the README's main job" in help_text
    # and the same time, of the same day, as the README's newest figure
    minutes, day = re.findall(
        r"main job:[^\n]*\((\d+(?:\.\d+)?) min, (2026-\d\d-\d\d)\)", help_text
    )[0]
    said = flat(section)
    assert day in said and f"took {minutes} minutes" in said, (minutes, day)
    # the bench that timed it (bench/sweep.py --main-job) runs that very command
    from bench.sweep import MAIN_JOB

    assert main_job(section).split()[1:] == [*MAIN_JOB, "hydra/launcher=parallel"]


def test_ci_time_is_stated_once_and_the_same_everywhere():
    assert CI_TIME in flat(readme_by_hand())
    times = {p.name: ci_times(p.read_text(encoding="utf-8")) for p in guide_pages()}
    assert {t for found in times.values() for t in found} == {"26"}, times


def test_init_paper_is_said_one_way_and_as_the_models_build_it():
    from alexnet_lab.models.alexnet import AlexNet
    from alexnet_lab.models.catalog import model_names
    from alexnet_lab.models.convnet4 import ConvNet4, ConvNet4FC, ConvNet4Towers
    from alexnet_lab.models.convnet_local import ConvNetLocal

    def layers(net: type) -> list[str]:
        return [name.split(".")[-1] for name in net.bias_one_layers]

    assert layers(AlexNet) == ["conv2", "conv4", "conv5", "fc6", "fc7"]
    assert layers(ConvNet4FC) == ["fc6", "fc7"]
    assert ConvNet4.bias_one_layers == ConvNet4Towers.bias_one_layers == ()
    assert ConvNetLocal.bias_one_layers == ()
    # a model added to the catalog gets its place in the sentence
    assert not [m for m in model_names() if not re.search(rf"\b{m}\b(?!_)", INIT_PAPER)]
    for name in ("claims.md", "configuration.md"):
        assert INIT_PAPER in flat((ROOT / "docs" / name).read_text(encoding="utf-8")), name
    # "biases 1" without the layers it applies to is what convnet4's C1 rows once said.
    texts = {p.name: flat(p.read_text(encoding="utf-8")) for p in guide_pages()}
    texts["README.md"] = flat(readme_by_hand())
    bare = {
        name: re.findall(r".{30}biases (?:are |of )?1\b(?! in ).{0,20}", text)
        for name, text in texts.items()
    }
    assert not {k: v for k, v in bare.items() if v}, bare


def test_every_time_in_the_readme_carries_its_date_or_says_it_is_an_estimate():
    assert not undated_durations(readme_by_hand())


def test_the_hero_caption_dates_nothing_itself_and_the_pasted_main_job_is_a_dated_example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    image = readme.index("![The paper's claims")
    caption = readme[image : readme.index("\n\n", readme.index("\n\n", image) + 2)]
    assert "docs/results.md" in caption and not DATE.search(caption), caption
    block = flat(readme[readme.index("<!-- main-job-result: start") : readme.index("end -->")])
    assert "An example" in block and "AMD EPYC, 2 cores" in block and DATE.search(block)
    assert "differed from it by an epoch" in block


def test_the_lr_grids_and_estimates_the_docs_state_are_the_code_s():
    import yaml

    from bench.results import PROTOCOLS

    # nox -s results runs the CPU protocols; the docs say so and name C1's protocol grid
    c1 = yaml.safe_load((ROOT / "conf" / "experiment" / "cpu" / "relu_vs_tanh.yaml").read_text())
    grid = [float(v) for v in str(c1["hydra"]["sweeper"]["params"]["optim.lr"]).split(",")]
    experiments_md = flat((ROOT / "docs" / "experiments.md").read_text(encoding="utf-8"))
    row = experiments_md[experiments_md.index("| `CIFAR10=DIR nox -s results` |") :]
    row = row[: row.index(" |\n") if " |\n" in row else len(row)]
    assert all(f"cpu/{name}" in row for name, _, _ in PROTOCOLS)
    protocols = flat((ROOT / "docs" / "protocols.md").read_text(encoding="utf-8"))
    assert ", ".join(f"{v:g}" for v in grid) in protocols
    experiment = ROOT / "conf" / "experiment" / "relu_vs_tanh.yaml"
    lrs = yaml.safe_load(experiment.read_text())["hydra"]["sweeper"]["params"]["optim.lr"]
    values = [float(v) for v in str(lrs).split(",")]
    for name in ("claims.md", "data.md"):
        text = flat((ROOT / "docs" / name).read_text(encoding="utf-8"))
        assert f"{min(values):.0e} to {max(values):.0e}".replace("e-0", "e-") in text, name
    # The CPU estimates: C1's and relu_vs_tanh_settings' runs at the measured images/s.
    readme = flat(readme_by_hand())
    rate = int(re.search(r"convnet4's (\d+) images/s", readme).group(1))
    settings = yaml.safe_load((experiment.parent / "relu_vs_tanh_settings.yaml").read_text())
    epochs = yaml.safe_load(experiment.read_text())["trainer"]["max_epochs"]
    experiments = flat((ROOT / "docs" / "experiments.md").read_text(encoding="utf-8"))
    assert f"convnet4 trained {rate} images/s" in experiments
    estimates = []
    for params, unit, seconds in (
        (yaml.safe_load(experiment.read_text())["hydra"]["sweeper"]["params"], "h", 3600),
        (settings["hydra"]["sweeper"]["params"], "days", 86400),
    ):
        runs = 1
        for values in params.values():
            runs *= len(str(values).split(","))
        estimates.append(round(runs * epochs * 50_000 / rate / seconds))
        assert f"{runs} runs x {epochs} epochs: about {estimates[-1]} {unit} (est.)" in readme
    assert f"about {estimates[0]} hours one run at a time (estimated)" in experiments
    assert f"about {estimates[1]} days (estimated)" in experiments
    from alexnet_lab.help import bare_help

    assert f"(about {estimates[0]} hours, estimated; use a GPU)" in str(
        bare_help(["--help"], ROOT / "conf")
    )


def test_the_layouts_name_every_module_of_the_package():
    package = ROOT / "alexnet_lab"
    names = [
        f"{p.name}/" if p.is_dir() else p.name
        for p in package.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists())
        or (p.suffix == ".py" and p.name not in ("__init__.py", "__main__.py"))
    ]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    extending = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    for name, text in (("README.md", readme), ("extending.md", extending)):
        block = text[text.index("## Layout") :]
        block = block[block.index("```") : block.index("```", block.index("```") + 3)]
        missing = [n for n in names if n not in block]
        assert not missing, f"{name}'s layout does not name {missing}"
