"""The guide against the code it describes: each statement a page makes about the configs, the
models, the protocols and the files (an option, a key, a model's switch, a protocol's budget, a
module's name) is checked against what the repository holds, so that a renamed key, a new
option or a changed budget fails here instead of leaving a page stale."""

import re

from tests.unit.test_docs import ROOT, guide_pages


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
    row = r"^\| `alexnet-lab experiment=\w+` \| (C\d)\b.*\(~([\d.]+) h, est\.\) \|$"
    said = re.findall(row, readme, flags=re.M)
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
