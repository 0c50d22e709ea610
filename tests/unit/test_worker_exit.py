"""A parallel worker whose queue is empty ends at once: exit hooks run, no interpreter teardown."""

from __future__ import annotations

import os

from omegaconf import OmegaConf

from alexnet_lab.parallel.devices import Slot
from alexnet_lab.parallel.pool import SPAWN
from alexnet_lab.parallel.worker import WorkerSetup, serve


def test_a_worker_told_the_queue_is_empty_ends_as_python_would_but_skips_the_teardown(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("ALEXNET_LAB_TEST_EXIT_DIR", str(tmp_path))
    setup = WorkerSetup(
        config=OmegaConf.create({}),
        config_loader=None,
        singleton_state={"instances": {}},
        task=("tests.worker_exit_probe", "task"),
        max_members=None,
        cpu_members=1,
        log=str(tmp_path / "worker.log"),
    )
    core = min(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
    here, there = SPAWN.Pipe()
    process = SPAWN.Process(target=serve, args=(there, Slot(0, None, (core,)), setup))
    process.start()
    there.close()
    try:
        assert here.recv()[0] == "ready"
        here.send(None)  # no unit: the queue is empty
        process.join(120)
    finally:
        if process.is_alive():
            process.kill()
    assert process.exitcode == 0, (tmp_path / "worker.log").read_text()
    assert (tmp_path / "thread").read_text() == str(process.pid)  # its threads finished
    assert (tmp_path / "hook").read_text() == str(process.pid)  # the exit hooks ran
    assert not (tmp_path / "teardown").exists()  # the interpreter's teardown did not
