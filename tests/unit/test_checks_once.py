"""A job's pre-run checks run once: a single run's (made before Lightning loads), a stacked job's.

Each check is counted wherever the package bound it (``from ... import validate`` in any
module), and the real command runs in-process, as small as a run gets (64 synthetic images,
one epoch; the sweep's report, which judges nothing here, left out).
"""

from __future__ import annotations

import signal
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

#: the checks a job makes before it trains (alexnet_lab.run.preflight.preflight's list)
CHECKS = ("validate", "check_switches", "views_to_test", "check_wandb", "check_input_size")
TINY = [
    "data=synthetic",
    "data.train_size=64",
    "data.val_size=32",
    "trainer.max_epochs=1",
    "callbacks=none",
    "logger=none",
    "trainer.enable_progress_bar=false",
]


@pytest.fixture
def counted(monkeypatch, tmp_path) -> Callable[..., Counter[str]]:
    """Run ``alexnet-lab`` with these arguments in ``tmp_path``: how often each check ran."""
    import alexnet_lab.engines.lightning.job
    import alexnet_lab.engines.stacked.stack
    import alexnet_lab.run.early_checks
    import alexnet_lab.sweep.stacked_sweep  # noqa: F401  (every module that binds a check)
    from alexnet_lab import cli
    from alexnet_lab.results import sweep_report

    calls: Counter[str] = Counter()

    def counting(name: str, check: Callable[..., Any]) -> Callable[..., Any]:
        def count(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return check(*args, **kwargs)

        return count

    for module in [m for n, m in sys.modules.items() if n.startswith("alexnet_lab")]:
        for name in CHECKS:
            check = getattr(module, name, None)
            if callable(check):
                monkeypatch.setattr(module, name, counting(name, check))
    monkeypatch.setattr(sweep_report, "write_sweep_report", lambda *a, **k: None)
    monkeypatch.chdir(tmp_path)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)

    def run(*args: str) -> Counter[str]:
        monkeypatch.setattr(sys, "argv", ["alexnet-lab", *args])
        try:
            assert cli.command() == 0
        finally:
            signal.signal(signal.SIGINT, handlers[0])
            signal.signal(signal.SIGTERM, handlers[1])
        return calls

    return run


def test_a_single_run_makes_each_check_once(counted, tmp_path):
    calls = counted(*TINY, "hydra.run.dir=run")
    assert (tmp_path / "run" / "record.json").is_file()
    assert calls == {name: 1 for name in CHECKS}


def test_each_job_of_a_stacked_sweep_makes_each_check_once(counted, tmp_path):
    calls = counted("-m", "hydra/launcher=stacked", *TINY, "hydra.sweep.dir=sweep", "seed=0,1")
    from tests.records import load_records

    records = load_records(tmp_path / "sweep")
    assert [(r.status, r.launcher) for r in records] == [("completed", "stacked")] * 2
    assert calls == {name: 2 for name in CHECKS}
