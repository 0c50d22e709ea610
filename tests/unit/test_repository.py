"""The repository ships every module and config file, and no data or run outputs;
the training modules import no cycle."""

import ast
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def tracked() -> set[str]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_every_package_module_and_config_file_is_tracked():
    files = tracked()
    wanted = [p.relative_to(ROOT).as_posix() for p in (ROOT / "alexnet_lab").rglob("*.py")]
    wanted += [p.relative_to(ROOT).as_posix() for p in (ROOT / "conf").rglob("*.yaml")]
    missing = sorted(set(wanted) - files)
    assert not missing, f"not in git (a .gitignore pattern?): {missing}"
    assert "alexnet_lab/data/datamodules.py" in files and "conf/data/cifar10.yaml" in files


def test_no_data_checkpoints_or_run_outputs_are_tracked():
    bad = [f for f in tracked() if f.startswith(("data/", "outputs/", "multirun/", "wandb/"))
           or "/wandb/" in f or f.endswith((".ckpt", ".pt", ".gz"))]  # fmt: skip
    assert not bad


def test_every_subpackage_and_the_configs_are_in_the_wheel_configuration():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = set(setuptools["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "alexnet_lab").rglob("*.py")
    }
    on_disk = {p for p in on_disk if "__pycache__" not in p}
    missing = sorted(on_disk - packages)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"
    assert setuptools["package-dir"]["alexnet_lab.conf"] == "conf"
    assert "**/*.yaml" in setuptools["package-data"]["alexnet_lab.conf"]


def imports(path: Path) -> set[str]:
    """Every alexnet_lab module a file imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {name for name in found if name.startswith("alexnet_lab")}


def module_graph() -> dict[str, set[str]]:
    files = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
        for p in (ROOT / "alexnet_lab").rglob("*.py")
    }
    return {name: (imports(path) & set(files)) - {name} for name, path in files.items()}


#: the package's floors, lowest first: a module imports from its own room and rooms below it
FLOORS = (
    ("configs", "errors", "overrides", "quiet", "choices"),
    ("record",),
    ("console", "folders", "tracking"),
    ("models", "data"),
    ("results",),
    ("run",),
    ("engines",),
    ("sweep",),
    ("parallel",),
    ("help", "suggest"),
    ("cli", "__main__"),
)


def room(module: str) -> str:
    """``alexnet_lab.engines.lightning.job`` -> ``run``; ``alexnet_lab.cli`` -> ``cli``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_package_has_no_import_cycle_and_no_import_that_runs_up_a_floor():
    graph = module_graph()
    floor = {name: i for i, names in enumerate(FLOORS) for name in names}
    rooms = {room(m) for m in graph} - {""}
    assert rooms == set(floor), f"give each room a floor in FLOORS: {sorted(rooms ^ set(floor))}"

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                if nxt == goal:
                    return True
                seen.add(nxt)
                todo.append(nxt)
        return False

    cycles = sorted(m for m in graph if reaches(m, m))
    assert not cycles, f"modules on an import cycle: {cycles}"
    upward = sorted(
        f"{m} -> {d}"
        for m, deps in graph.items()
        for d in deps
        if room(m) and room(d) and floor[room(d)] > floor[room(m)]
    )
    assert not upward, f"imports that run up a floor: {upward}"


#: imports forbidden although they run down a floor: (from, to) module prefixes
FORBIDDEN = (
    # the engines side by side: the stack builds its runs from run/ (the recipe, the session)
    ("alexnet_lab.engines.stacked", "alexnet_lab.engines.lightning"),
    # one run knows nothing of a sweep's report: the command's end writes it
    ("alexnet_lab.run", "alexnet_lab.results"),
)
#: the crossings still there (none: an ending is a value the sweep's callback reports)
NOT_YET: set[tuple[str, str]] = set()


def test_the_stacked_engine_imports_nothing_of_lightnings_and_a_run_nothing_of_results():
    graph = module_graph()
    crossings = {
        (m, d)
        for m, deps in graph.items()
        for d in deps
        for source, target in FORBIDDEN
        if (m == source or m.startswith(source + "."))
        and (d == target or d.startswith(target + "."))
    }
    assert sorted(crossings - NOT_YET) == []
    assert NOT_YET <= crossings, f"gone: drop them from NOT_YET: {sorted(NOT_YET - crossings)}"


def _record_fields() -> set[str]:
    from dataclasses import fields

    from alexnet_lab.record.run_record import RunRecord

    return {f.name for f in fields(RunRecord)}


def _assigned_record_fields(path: Path, names: set[str]) -> list[str]:
    """``record.status = ...``, ``m.record.settings[k] = ...``: a record's field set in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for part in target.elts if isinstance(target, ast.Tuple) else [target]:
                while isinstance(part, ast.Subscript):
                    part = part.value
                if not isinstance(part, ast.Attribute) or part.attr not in names:
                    continue
                owner = part.value
                is_record = (isinstance(owner, ast.Name) and owner.id == "record") or (
                    isinstance(owner, ast.Attribute) and owner.attr == "record"
                )
                if is_record:
                    found.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    return found


#: a run's record is set only by its type and its session
RECORD_WRITERS = ("alexnet_lab/record/", "alexnet_lab/run/session.py")


def test_no_record_field_is_set_outside_the_record_and_the_session():
    names = _record_fields()
    found = []
    for path in [*(ROOT / "alexnet_lab").rglob("*.py"), *(ROOT / "hydra_plugins").rglob("*.py")]:
        where = path.relative_to(ROOT).as_posix()
        if not where.startswith(RECORD_WRITERS):
            found += _assigned_record_fields(path, names)
    assert found == []
    constructed = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "alexnet_lab").rglob("*.py")
        if "RunSession(" in p.read_text()
    ]
    assert constructed == []  # a session is opened: RunSession.open, or RunSession.save_ended
    assert (ROOT / "alexnet_lab" / "run" / "session.py").read_text().count("cls(") == 2
