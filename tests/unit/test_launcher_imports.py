"""The parallel launcher's process ends a sweep without loading Lightning or torch.

Its work after the jobs is the sweep's report: asking whether the runs used W&B must not
import Lightning's logger module (with torch, torchmetrics and torchvision: seconds at the
end of every sweep, with both cores idle).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alexnet_lab.record.files import write_record
from tests.conftest import ROOT
from tests.records import a_record

CHECK = """
import json, sys
from pathlib import Path
from alexnet_lab.results.sweep_report import log_report_to_wandb

log_report_to_wandb(Path(sys.argv[1]))
heavy = ("torch", "pytorch_lightning", "lightning_fabric", "torchmetrics", "wandb")
print(json.dumps([name for name in heavy if name in sys.modules]))
"""


def test_a_sweep_without_wandb_reports_without_lightning(tmp_path: Path) -> None:
    record = a_record(overrides=["seed=0"], config={"logger": {"csv": {}}})
    write_record(tmp_path / "0" / "record.json", record)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
