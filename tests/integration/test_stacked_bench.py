"""bench/sweep.py runs end to end on a tiny slice and prints its table (numbers not asserted)."""

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_the_sweep_bench_prints_four_rows_and_their_ratios(tmp_path):
    command = [
        sys.executable,
        str(ROOT / "bench" / "sweep.py"),
        "--epochs=1",
        "--train-size=64",
        "--val-size=32",
        "--batch-size=32",
        "--activations=relu",
        "--lrs=0.01",
        "--seeds=0,1",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout
    assert re.search(r"machine: (CPU|GPU) .+; date: \d{4}-\d\d-\d\d", out), out
    numbers = r".*?│\s*2\s*│\s*128\s*│\s*([0-9.]+)\s*│\s*([0-9.]+)"  # jobs, images, s, img/s
    labels = ("(a) sequential", "(b) stacked launcher", "(c) hand-written", "(d) parallel launcher")
    for label in labels:
        row = re.search(re.escape(label) + numbers, out)
        assert row and float(row.group(1)) > 0 and float(row.group(2)) > 0, (label, out)
    ratios = r"\(b\)/\(a\) = [0-9.]+\s+\(b\)/\(c\) = [0-9.]+\s+\(d\)/\(a\) = [0-9.]+\s+\(d\)/\(b\)"
    assert re.search(ratios, out), out
