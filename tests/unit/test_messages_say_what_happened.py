"""Messages that say what happened: a refused job signals no neighbour, data smaller than asked.

In-process, in ``tmp_path``: the parallel launcher's pool with stand-in workers, the outcome
of a refused job in a parallel worker, and a run's session given less data than it asked for.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from alexnet_lab.errors import UserError
from alexnet_lab.parallel import pool as pool_module
from alexnet_lab.parallel.devices import Slot
from alexnet_lab.parallel.pool import Hooks, Pool, Worker
from alexnet_lab.parallel.units import Unit
from tests.records import load_record


def worker(index: int, number: int) -> Worker:
    process = SimpleNamespace(is_alive=lambda: True, pid=10_000 + index)
    conn = SimpleNamespace(send=lambda message: None)
    unit = Unit(number, [(number, [f"seed={number}"])])
    return Worker(Slot(index, None, (index,)), process, conn, unit)  # type: ignore[arg-type]


def test_a_refused_job_never_signals_its_healthy_neighbour(tmp_path, monkeypatch, capsys):
    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(
        pool_module, "_kill", lambda w, signum: killed.append((w.slot.index, signum))
    )
    notes: list[str] = []
    progress = SimpleNamespace(tick=lambda: None, note=notes.append)
    hooks = Hooks(lambda c: None, lambda c, r: None, lambda c, r: None)
    pool = Pool([], lambda log: None, tmp_path, hooks, progress)  # type: ignore[arg-type]
    refused, healthy = worker(0, 0), worker(1, 1)
    pool.workers = [refused, healthy]
    pool._exited(refused, 2, "cannot run", "the data is missing")  # the worker's message
    monkeypatch.setattr(pool, "_wait", lambda timeout: pool.workers.clear())  # they end
    pool._shutdown()
    assert killed == []
    assert pool.stop is not None and pool.stop.code == 2 and not pool.stop.interrupted
    assert "the data is missing" in capsys.readouterr().err
    assert "the 1 running job(s) finish first" in notes[0]


def test_a_refused_job_in_a_parallel_worker_removes_its_folder_as_under_basic(
    tmp_path, monkeypatch
):
    from alexnet_lab.record.files import RunRecord
    from alexnet_lab.run import outcome
    from alexnet_lab.run.context import JobContext
    from alexnet_lab.run.roles import PARALLEL_WORKER_ENV
    from alexnet_lab.sweep.hydra_callbacks import FolderLockCallback

    monkeypatch.chdir(tmp_path)
    sweep = tmp_path / "sweep"
    FolderLockCallback()._take(sweep, "hydra.sweep.dir")
    (sweep / "multirun.yaml").write_text("x")
    job = sweep / "0"
    (job / ".hydra").mkdir(parents=True)
    (job / "record.json").write_text(json.dumps({"status": "failed"}))
    monkeypatch.setenv(PARALLEL_WORKER_ENV, "0")
    context = JobContext(sweep_dir=sweep, multirun=True)
    end = outcome.settle(UserError("the data is missing"), RunRecord(), context, job)
    assert end.kind == "refused" and end.stops and end.exit_status == 2
    assert end.paragraph == "the data is missing"
    assert not job.exists()
    assert (sweep / "multirun.yaml").exists()  # the sweep's folder: its launcher's to remove


def test_a_data_set_smaller_than_asked_is_said_and_recorded(tmp_path):
    from alexnet_lab.record.files import RunRecord
    from alexnet_lab.run.session import RunSession

    record = RunRecord(config={"data": {"train_size": 100000}})
    session = RunSession(record, tmp_path)
    with pytest.warns(UserWarning, match="the data set has only 40 training images"):
        session.start({"train_size": 40, "chance_error": 0.9})
    saved = load_record(tmp_path)
    assert saved.data["train_size"] == 40 and saved.data["train_size_requested"] == 100000


def test_a_data_set_as_large_as_asked_says_nothing(tmp_path, recwarn):
    from alexnet_lab.record.files import RunRecord
    from alexnet_lab.run.session import RunSession

    record = RunRecord(config={"data": {"train_size": 40}})
    RunSession(record, tmp_path).start({"train_size": 40})
    assert not [w for w in recwarn if "training images" in str(w.message)]
    assert "train_size_requested" not in record.data
