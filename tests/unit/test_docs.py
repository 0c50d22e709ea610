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
    assert "An example" in block and "2-core AMD EPYC CPU" in block and DATE.search(block)
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


def test_the_configuration_guide_names_every_model_that_has_each_switch():
    from alexnet_lab.models.catalog import MODELS, SWITCH_GROUPS

    lines = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8").splitlines()
    unnamed = {}
    for switch in SWITCH_GROUPS:
        row = next(line for line in lines if line.startswith(f"| `{switch}` |"))
        having = [name for name, spec in MODELS.items() if switch in spec.switches]
        if len(having) == len(MODELS):  # every model has it: nothing to name
            continue
        named = [
            name
            for name in having
            if f"`{name}`" in row or (name.startswith("alexnet") and "AlexNet models" in row)
        ]
        if named != having:
            unnamed[switch] = sorted(set(having) - set(named))
    assert not unnamed, f"models that have a switch its row does not name: {unnamed}"


def test_the_guides_layout_names_every_module_file_and_bench_script():
    extending = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    block = extending[extending.index("## Layout") :]
    block = block[block.index("```") : block.index("```", block.index("```") + 3)]
    files = [
        p
        for p in (*(ROOT / "alexnet_lab").rglob("*.py"), *(ROOT / "bench").glob("*.py"))
        if p.name not in ("__init__.py", "__main__.py")
    ]
    missing = [p.relative_to(ROOT).as_posix() for p in files if p.name not in block]
    assert not missing, f"extending.md's layout does not name {missing}"


def test_the_readme_gives_each_cpu_protocol_the_estimate_protocols_md_gives():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    protocols = (ROOT / "docs" / "protocols.md").read_text(encoding="utf-8")
    costs = protocols[protocols.index("## Cost") :].splitlines()
    said = re.findall(r"^\| `alexnet-lab experiment=\w+` \| (C\d)\b.*\(~([\d.]+) h, est\.\) \|$",
                      readme, flags=re.M)  # fmt: skip
    assert len(said) == 6, said  # C1-C6; C7 costs nothing of its own
    differ = {}
    for claim, hours in said:
        row = next(line for line in costs if re.match(rf"\| [^|]*\b{claim}\b", line))
        if f"about {hours} h" not in row:
            differ[claim] = (hours, row)
    assert not differ, f"the README's estimate is not protocols.md's: {differ}"


# Names the docs give on purpose that are no option or key: misspellings whose error a page
# shows, placeholders, and the examples' own files (extending.md's new claim and model, a
# --config-dir file).
NOT_OPTIONS = {"relux", "paralel", "NAME", "<name>", "cpu/<name>", "mine", "tiny", "weight_decay"}
NOT_KEYS = {"optim.lrr", "<group>", "[group", "[key"}


def config_names() -> tuple[dict[str, set[str]], set[str]]:
    """Every config group's options and every key the configs define (dotted; hydra.* aside)."""
    import yaml

    conf = ROOT / "conf"
    files = [p for p in conf.rglob("*.yaml") if p.parent != conf]
    options: dict[str, set[str]] = {}
    for path in files:
        options.setdefault(path.parent.relative_to(conf).as_posix(), set()).add(path.stem)
    options["hydra/launcher"] |= {"basic", "stacked", "parallel"}  # the plugins' own
    options["experiment"] |= {f"cpu/{name}" for name in options.pop("experiment/cpu")}
    keys: set[str] = set()

    def walk(node: object, prefix: str) -> None:
        for key, value in node.items() if isinstance(node, dict) else ():
            if key not in ("defaults", "hydra"):
                keys.add(f"{prefix}{key}")
                walk(value, f"{prefix}{key}.")

    walk(yaml.safe_load((conf / "config.yaml").read_text()), "")
    for path in files:
        group = path.parent.relative_to(conf).as_posix()
        if not group.startswith("hydra"):
            text = path.read_text()
            prefix = "" if "@package _global_" in text else group.replace("/", ".") + "."
            walk(yaml.safe_load(text), prefix)
    return options, keys


def unknown_overrides(text: str, options: dict[str, set[str]], keys: set[str]) -> list[str]:
    """The overrides in ``text`` that the configs lack: a ``group=option`` anywhere, a dotted
    ``key=`` anywhere, and any ``name=`` in an ``alexnet-lab`` command (``+key=`` appends a
    key and ``hydra.*`` is Hydra's, so both are left alone)."""
    groups = "|".join(sorted(map(re.escape, options), key=len, reverse=True))
    bad = []
    for match in re.finditer(rf"(?<![\w./$+-])({groups})=([\w/<>.,|-]+)", text):
        values = re.split(r"[,|]", match.group(2).rstrip(".,"))
        wrong = [v for v in values if v and v not in options[match.group(1)] | NOT_OPTIONS]
        bad += [match.group(0)] if wrong else []
    for match in re.finditer(r"(?<![\w./$+-])([a-z_]+(?:\.[a-z_0-9]+)+)=", text):
        name = match.group(1)
        if not name.startswith("hydra.") and name not in keys | NOT_KEYS:
            bad.append(match.group(0))
    for command in re.findall(r"\balexnet-lab (?:-m )?[^`\n]*", text):
        for token in command.split():
            name = token.split("=")[0]
            if "=" in token and token[0] not in "-+" and not name.startswith("hydra"):
                if "." not in name and name not in keys | set(options) | NOT_KEYS:
                    bad.append(token)
    return bad


def test_the_override_check_finds_a_stale_option_and_key():
    options, keys = config_names()
    assert "cpu/lrn" in options["experiment"] and "optim.plateau_patience" in keys
    text = "`norm=lrnn` `trainer.deterministic=true` `+trainer.deterministic=true` "
    text += "`hydra.sweep.dir=x` `alexnet-lab budget=cpu experiment=cpu/lrn seed=0,1 -m`"
    assert unknown_overrides(text, options, keys) == [
        "norm=lrnn",
        "trainer.deterministic=",
        "budget=cpu",
    ]


def test_every_override_the_docs_and_help_show_is_a_real_option_or_key():
    options, keys = config_names()
    pages = [*guide_pages(), ROOT / "conf" / "hydra" / "help" / "alexnet_lab.yaml"]
    found = {p.name: unknown_overrides(p.read_text(encoding="utf-8"), options, keys) for p in pages}
    assert not {k: v for k, v in found.items() if v}, "overrides that name no option or key"


# Paths the pages name that a checkout does not have on purpose: the installed configs, the
# examples' new files, and what the GPU check's tarball becomes.
NOT_FILES = {
    "alexnet_lab/conf",
    "conf/experiment/weight_decay.yaml",
    "conf/experiment/NAME.yaml",
    "sweeps/NAME.yaml",
    "alexnet_lab/models/tiny.py",
    "conf/model/tiny.yaml",
    "records/c1",
    "records/c1_cifar10_gpu",
}
TOP = "alexnet_lab|bench|tests|conf|hydra_plugins|sweeps|records|docs|examples|\\.ci"


def missing_paths(text: str) -> list[str]:
    """The repository paths ``text`` names (``bench/sweep.py``, ``conf/init/``) that do not exist
    (patterns with ``*`` or ``<...>`` aside)."""
    named = re.findall(rf"(?<![\w/.-])((?:{TOP})/[\w./*<>-]*[\w*>])", text)
    return [p for p in named if not re.search(r"[*<>]", p) and not (ROOT / p).exists()]


def test_every_file_the_pages_name_exists():
    assert missing_paths("see bench/sweep.py, bench/gone.py and conf/experiment/*.yaml") == [
        "bench/gone.py"
    ]
    pages = [*guide_pages(), ROOT / "conf" / "hydra" / "help" / "alexnet_lab.yaml"]
    found = {p.name: missing_paths(p.read_text(encoding="utf-8")) for p in pages}
    found = {name: sorted(set(paths) - NOT_FILES) for name, paths in found.items()}
    assert not {k: v for k, v in found.items() if v}, found


def test_the_configuration_guide_names_every_top_level_key():
    import yaml

    config = yaml.safe_load((ROOT / "conf" / "config.yaml").read_text(encoding="utf-8"))
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    keys = text[text.index("Top-level keys:") :].split("\n\n")[0]
    missing = [k for k in config if k != "defaults" and not re.search(rf"`{k}(\.\*)?`", keys)]
    assert not missing, f"configuration.md's top-level keys leave out {missing}"


def test_the_configuration_guide_lists_every_option_of_every_group():
    conf = ROOT / "conf"
    lines = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8").splitlines()
    groups = {p.parent.relative_to(conf).as_posix() for p in conf.rglob("*.yaml")} - {"."}
    missing = {}
    for group in sorted(g for g in groups if not g.startswith("hydra")):
        top, _, sub = group.partition("/")  # experiment/cpu: the experiment row's cpu/<name>
        row = next((line for line in lines if line.startswith(f"| `{top}` |")), "")
        names = [f"{sub}/{p.stem}" if sub else p.stem for p in (conf / group).glob("*.yaml")]
        unlisted = [n for n in names if f"`{n}`" not in row] if row else ["(no row)"]
        if unlisted:
            missing[group] = unlisted
    assert not missing, f"configuration.md's groups table leaves out {missing}"


def protocol_config(name: str) -> dict:
    """``conf/experiment/cpu/<name>.yaml`` merged over the protocol it includes, if any."""
    import yaml

    own = yaml.safe_load((ROOT / "conf" / "experiment" / "cpu" / f"{name}.yaml").read_text())
    base: dict = {}
    for entry in own.get("defaults", []):
        if isinstance(entry, str) and entry.startswith("/experiment/cpu/"):
            base = protocol_config(entry.rsplit("/", 1)[1])

    def merge(a: dict, b: dict) -> dict:
        out = dict(a)
        for key, value in b.items():
            both = isinstance(value, dict) and isinstance(out.get(key), dict)
            out[key] = merge(out[key], value) if both else value
        return out

    return merge(base, own)


def test_the_protocols_table_gives_each_protocols_data_epochs_and_runs():
    text = (ROOT / "docs" / "protocols.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `experiment=cpu/")]
    names = sorted(p.stem for p in (ROOT / "conf" / "experiment" / "cpu").glob("*.yaml"))
    assert sorted(re.match(r"\| `experiment=cpu/(\w+)`", r).group(1) for r in rows) == names
    wrong = {}
    for row in rows:
        name = re.match(r"\| `experiment=cpu/(\w+)`", row).group(1)
        config = protocol_config(name)
        runs = 1
        for values in config["hydra"]["sweeper"]["params"].values():
            runs *= len(str(values).split(","))
        size = (config.get("data") or {}).get("train_size") or 50_000
        cells = [c.strip() for c in row.strip("|").split("|")]
        if name == "tta":  # read off C5's runs: nothing of its own
            ok = cells[-1] == f"(C5's {runs})"
        else:
            ok = cells[-1] == str(runs) and f"{size:,} images" in cells[3]
            ok = ok and f"{config['trainer']['max_epochs']} epochs" in cells[3]
        if not ok:
            wrong[name] = (runs, size, config["trainer"]["max_epochs"], cells[3], cells[-1])
    assert not wrong, f"protocols.md's table is not the configs': {wrong}"


def test_the_readme_gives_each_experiments_runs_and_epochs_as_its_config():
    import yaml

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    said = re.findall(
        r"^\| `alexnet-lab experiment=(\w+)` \|.*?\| (\d+) runs x (\d+) epochs", readme, re.M
    )
    folder = ROOT / "conf" / "experiment"
    assert sorted(name for name, _, _ in said) == sorted(p.stem for p in folder.glob("*.yaml"))
    wrong = {}
    for name, runs, epochs in said:
        config = yaml.safe_load((folder / f"{name}.yaml").read_text())
        base = next((d for d in config.get("defaults", []) if isinstance(d, str)), None)
        if base:  # relu_vs_tanh_settings: relu_vs_tanh's budget, its own grid
            config = {**yaml.safe_load((folder / f"{base}.yaml").read_text()), **config}
        count = 1
        for values in config["hydra"]["sweeper"]["params"].values():
            count *= len(str(values).split(","))
        if (int(runs), int(epochs)) != (count, config["trainer"]["max_epochs"]):
            wrong[name] = (runs, epochs, count, config["trainer"]["max_epochs"])
    assert not wrong, f"the README's runs x epochs are not the configs': {wrong}"
