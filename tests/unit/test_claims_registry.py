"""A claim is data: one registered Claim is judged through the real report, no code changed."""

import ast
import json
from pathlib import Path

import pytest

import alexnet_lab.results as results_pkg
from alexnet_lab.record.files import RunRecord, write_record
from alexnet_lab.results.report import build_report
from alexnet_lab.results.verdict.claims import (
    CLAIM_BY_KEY,
    CLAIMS,
    Claim,
    Part,
    register_claim,
    unregister_claim,
)
from alexnet_lab.results.verdict.metrics import TOP1_ERROR, Metric
from tests.records import a_record

RESULTS_DIR = Path(results_pkg.__file__).parent

#: a metric defined here alone: the last epoch's validation error
LAST_VAL_ERROR = Metric(
    name="last_val_error",
    label="last validation error",
    column="last val error",
    read=lambda r: (r.last("val_error"), False),
)
C8 = Claim(
    "C8",
    "Weight decay matters",
    "5",
    key="optim.weight_decay",
    favoured="0.0005",
    baseline="0",
    metric=TOP1_ERROR,
    paper="the paper's 5e-4 decay 'reduces the model's training error' and helps",
    parts=(
        Part(
            "last validation error (decay against none)",
            LAST_VAL_ERROR,
            better=("0.0005",),
            worse=("0",),
            paper="lower with decay",
        ),
    ),
)


@pytest.fixture
def c8():
    register_claim(C8)
    yield C8
    unregister_claim("C8")


def c8_run(decay: str, seed: int, top1: float) -> RunRecord:
    history = [
        {"epoch": e, "train_error": 0.5 / e, "val_error": top1 + 0.01, "val_top5_error": top1 / 3}
        for e in (1, 2, 3)
    ]
    return a_record(
        status="completed",
        overrides=[f"optim.weight_decay={decay}", f"seed={seed}"],
        seed=seed,
        claim="C8",
        settings={"model": "convnet4", "data": "synthetic", "max_epochs": 3},
        history=history,
        final={"last": history[-1], "test": {"top1_error": top1, "top5_error": top1 / 3}},
        output_dir=f"run-{decay}-{seed}",
    )


def test_a_claim_registered_in_a_test_gets_its_verdict_through_build_report(c8, tmp_path):
    assert CLAIMS["C8"] is c8 and CLAIM_BY_KEY["optim.weight_decay"] is c8
    tops = {"0.0005": (0.20, 0.21, 0.20), "0": (0.30, 0.31, 0.31)}
    for decay, values in tops.items():
        for seed, top1 in enumerate(values):
            write_record(tmp_path / f"{decay}-{seed}" / "record.json", c8_run(decay, seed, top1))
    summary = build_report(tmp_path, quiet=True)
    assert summary["claim"] == "C8" and summary["arms"] == ["0.0005", "0"]
    verdict = summary["verdict"]
    assert verdict["verdict"] == "reproduced"
    assert verdict["numbers"]["effect"] == pytest.approx(0.1033333, abs=1e-6)
    assert verdict["numbers"]["interval"]["low"] > 0
    (part,) = verdict["parts"]
    assert part["part"].startswith("last validation error") and part["verdict"] == "reproduced"
    report = (tmp_path / "report.md").read_text()
    assert "# C8: Weight decay matters (section 5)" in report
    assert "95% interval" in report and "| last val error |" not in report  # not a column
    assert json.loads((tmp_path / "summary.json").read_text())["verdict"] == verdict


def test_the_inferred_claim_comes_from_the_registry(c8, tmp_path):
    for decay in ("0.0005", "0"):
        record = c8_run(decay, 0, 0.2).replace(claim=None)
        write_record(tmp_path / decay / "record.json", record)
    summary = build_report(tmp_path, quiet=True)
    assert summary["claim"] == "C8" and summary["verdict"]["verdict"] == "inconclusive"
    assert "too few seeds" in summary["verdict"]["reason"]


def test_registering_a_clashing_claim_is_refused_and_unregistering_restores(c8):
    with pytest.raises(ValueError, match="clashes"):
        register_claim(Claim("C9", "x", "0", "optim.weight_decay", "a", "b", TOP1_ERROR, "-"))
    unregister_claim("C8")
    assert "C8" not in CLAIMS and "optim.weight_decay" not in CLAIM_BY_KEY
    assert set(CLAIMS) == {f"C{i}" for i in range(1, 8)}


def test_results_never_branches_on_a_claim_id():
    for path in RESULTS_DIR.rglob("*.py"):
        if path.name == "claims.py":  # where the claims are declared
            continue
        literals = [
            node.value
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        ]
        assert not [v for v in literals if v in CLAIMS], path.name


def test_results_modules_import_no_cycle():
    graph: dict[str, set[str]] = {}
    for path in RESULTS_DIR.rglob("*.py"):
        imports = set()
        for node in ast.parse(path.read_text()).body:  # module-level imports only
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "alexnet_lab.results."
            ):
                imports.add(node.module.rsplit(".", 1)[1])
        graph[path.stem] = imports

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, " -> ".join((*trail, module))
        for dep in graph.get(module, ()):
            visit(dep, (*trail, module))

    for module in graph:
        visit(module, ())
    assert all(len(p.read_text().splitlines()) <= 300 for p in RESULTS_DIR.glob("*.py"))
