"""bench/throughput.py works end to end on a tiny budget (its numbers are not asserted)."""

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, make_image_tree

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("in_memory", ["true", "false"])
def test_the_bench_prints_its_three_figures_and_their_ratio(tmp_path, in_memory):
    tree = make_image_tree(tmp_path / "tree", train_per_class=4, val_per_class=1)
    command = [
        sys.executable,
        str(ROOT / "bench" / "throughput.py"),
        "--batches=2",
        "--warmup=1",
        "model=convnet4",
        "data=imagefolder",
        f"data.root={tree}",
        "data.image_size=32",
        "data.crop_size=24",
        "augmentation=paper",
        "data.batch_size=4",
        f"data.in_memory={in_memory}",
        "data.num_workers=1",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    for label in ("(a) data pipeline alone", "(b) training, synthetic", "(c) training on the real"):
        assert re.search(re.escape(label) + r".*?│\s*[0-9.]+\s*│", out), out
    assert re.search(r"\(c\)/\(b\) = [0-9.]+", out) and f"in memory {in_memory.title()}" in out
