"""Tests read run records through ``RunRecord`` (``tests/records.py``), not as raw JSON.

A raw read is a ``json.load``/``json.loads`` whose argument names a record (``record.json``,
``record_path``, ...) or a name bound from one (a loop over ``rglob("record.json")``). Only
the tests whose subject is the file on disk itself may read it raw: they are listed here.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: modules that read a record.json raw on purpose, and why
RAW_ON_PURPOSE = {
    # what is (and is not) written to disk: a record read back never shows it
    "tests/unit/test_record_type.py",
    # a completed folder's record is kept byte for byte (and is no full record to load)
    "tests/unit/test_refused_run_folders.py",
    # which fields each launcher writes to disk, compared key by key
    "tests/integration/test_stacked_launcher.py",
}


def _mentions_record(node: ast.AST, tainted: set[str]) -> bool:
    for part in ast.walk(node):
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            if "record" in part.value.lower():
                return True
        if isinstance(part, ast.Name) and (part.id in tainted or "record" in part.id.lower()):
            return True
        if isinstance(part, ast.Attribute) and "record" in part.attr.lower():
            return True
    return False


def _bound_names(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def raw_record_reads(source: str) -> list[int]:
    """The lines of ``source`` that parse a run record's JSON with the json module."""
    tree = ast.parse(source)
    tainted: set[str] = set()
    for node in ast.walk(tree):  # names bound from an expression that names a record
        if isinstance(node, (ast.For, ast.comprehension)) and _mentions_record(node.iter, set()):
            tainted |= _bound_names(node.target)
        elif isinstance(node, ast.Assign) and _mentions_record(node.value, set()):
            for target in node.targets:
                tainted |= _bound_names(target)
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("load", "loads")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "json"
            and any(_mentions_record(arg, tainted) for arg in node.args)
        ):
            lines.append(node.lineno)
    return lines


def test_the_detector_finds_the_raw_reads_tests_used_to_make():
    assert raw_record_reads('r = json.loads((tmp / "record.json").read_text())') == [1]
    assert raw_record_reads("r = json.loads(record_path.read_text())") == [1]
    loop = '[json.loads(p.read_text()) for p in sorted(sweep.rglob("record.json"))]'
    assert raw_record_reads(loop) == [1]
    assert raw_record_reads('s = json.loads((sweep / "summary.json").read_text())') == []


def test_no_test_reads_a_record_json_raw_outside_the_allow_list():
    found = {}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        lines = raw_record_reads(path.read_text())
        if lines and name not in RAW_ON_PURPOSE:
            found[name] = lines
    assert not found, (
        f"raw JSON reads of run records: {found}; read them with tests.records.load_records "
        "or load_record (RunRecord), or add the module to RAW_ON_PURPOSE saying why"
    )
    for name in RAW_ON_PURPOSE:  # the list shrinks when a module stops reading raw
        assert raw_record_reads((ROOT / name).read_text()), f"{name} no longer reads raw"
