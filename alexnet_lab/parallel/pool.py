"""The launcher's side of the workers: one queue of units, a worker per slot, deaths, signals.

Units go to idle workers in queue order (largest first). A worker that dies under a job fails
the jobs it had started (their records say so), its unstarted jobs go back to the front of the
queue, and a fresh worker takes its slot. Ctrl-C or SIGTERM in the launcher is passed on to
every worker, whose jobs end ``interrupted`` as in a sequential sweep; the launcher waits for
them (a second Ctrl-C kills them) and then stops. Hydra's job callbacks fire here, in the
launcher's process, as each worker reports its jobs' starts and ends.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn

from alexnet_lab.parallel.devices import Slot, worker_env
from alexnet_lab.parallel.progress import Progress
from alexnet_lab.parallel.units import Unit, fail_dead_job, stopped_job
from alexnet_lab.parallel.worker import WorkerSetup, serve
from alexnet_lab.run import signals
from alexnet_lab.run.end import record_of

SPAWN = multiprocessing.get_context("spawn")
#: a worker that dies this many times before any job of it starts: the sweep stops
START_FAILURES = 3


@dataclass
class Worker:
    """A running worker: its slot, process, pipe and the unit it holds."""

    slot: Slot
    process: Any
    conn: Connection
    unit: Unit | None = None
    closing: bool = False


@dataclass
class Hooks:
    """What the launcher does per job: Hydra's job callbacks, the outcome line."""

    on_start: Callable[[Any], None]
    on_end: Callable[[Any, JobReturn], None]
    dead_return: Callable[[Any, Any], JobReturn]


@dataclass
class Stop:
    """Why the queue stopped early: the exit code, and what to print (workers that kept dying)."""

    code: int
    text: str = ""
    interrupted: bool = False


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """``os.environ`` replaced by ``env`` inside the block (a spawned child inherits it)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass
class Pool:
    """Workers over ``slots`` fed from one queue; :meth:`run` returns the jobs' returns."""

    slots: list[Slot]
    #: a worker's setup, given the path of its log file
    setup: Callable[[str], WorkerSetup]
    log_dir: Path
    hooks: Hooks
    progress: Progress
    results: dict[int, JobReturn] = field(default_factory=dict)
    stop: Stop | None = None
    configs: dict[int, Any] = field(default_factory=dict)
    start_failures: int = 0

    def run(self, units: list[Unit]) -> dict[int, JobReturn]:
        """Run every unit; on a stop, :attr:`stop` says why (the caller exits)."""
        self.queue = deque(units)
        self.workers = []
        try:  # the workers start inside: Ctrl-C while they start stops those already started
            for slot in self.slots:
                self.workers.append(self._start(slot))
            while self.stop is None and (self.queue or any(w.unit for w in self.workers)):
                self._dispatch()
                self._wait(1.0)
                self.progress.tick()
        except (KeyboardInterrupt, signals.Terminated):
            self.stop = Stop(signals.exit_code() or 130, interrupted=True)
        self._shutdown()
        return self.results

    # -- workers ---------------------------------------------------------------------------
    def _start(self, slot: Slot) -> Worker:
        setup = self.setup(self._log(slot))
        here, there = SPAWN.Pipe()
        with environment(worker_env(slot, os.environ)):
            process = SPAWN.Process(target=serve, args=(there, slot, setup), name=slot.label)
            process.start()
        there.close()
        return Worker(slot, process, here)

    def _log(self, slot: Slot) -> str:
        return str(self.log_dir / f"worker-{slot.index}.log")

    def _dispatch(self) -> None:
        for worker in self.workers:
            if worker.closing or worker.unit is not None:
                continue
            if not self.queue:
                self._send(worker, None)
                worker.closing = True
                continue
            unit = self.queue.popleft()
            worker.unit = unit
            self._send(worker, (unit.number, unit.unfinished, unit.stack))

    def _send(self, worker: Worker, message: Any) -> None:
        try:
            worker.conn.send(message)
        except OSError:  # it died: its sentinel tells _wait
            pass

    def _wait(self, timeout: float) -> None:
        by_object: dict[Any, Worker] = {}
        for worker in self.workers:
            by_object[worker.conn] = by_object[worker.process.sentinel] = worker
        for ready in wait(list(by_object), timeout):
            worker = by_object[ready]
            if worker in self.workers and not self._drain(worker):
                self._ended(worker)

    def _drain(self, worker: Worker) -> bool:
        """Handle the worker's pending messages; False once its process has gone."""
        try:
            while worker.conn.poll():
                self._handle(worker, worker.conn.recv())
        except (EOFError, OSError):
            pass
        return worker.process.is_alive()

    def _handle(self, worker: Worker, message: tuple[Any, ...]) -> None:
        kind, unit = message[0], worker.unit
        if kind == "start" and unit is not None:
            number, config = message[1], message[2]
            self.configs[number] = config
            unit.started.add(number)
            self.start_failures = 0
            self.hooks.on_start(config)
            folder = Path(str(config.hydra.runtime.output_dir))
            overrides = list(config.hydra.overrides.task)
            epochs = config.get("trainer", {}).get("max_epochs")
            self.progress.job_started(worker.slot.label, number, overrides, folder, epochs)
        elif kind == "end" and unit is not None:
            number, config, ret = message[1], message[2], message[3]
            unit.ended.add(number)
            self._finish(worker, number, config, ret)
        elif kind in ("done", "exit"):
            if kind == "done":
                worker.unit = None
            else:  # ("exit", unit, status, title, paragraph): how its job ended the worker
                worker.closing = True
                self._exited(worker, int(message[2]), *message[3:5])

    def _finish(self, worker: Worker, number: int, config: Any, ret: JobReturn) -> None:
        self.results[number] = ret
        self.hooks.on_end(config, ret)
        status = getattr(record_of(ret._return_value), "status", "failed")
        self.progress.job_ended(worker.slot.label, number, status != "completed")

    def _exited(self, worker: Worker, code: int, title: str = "", paragraph: str = "") -> None:
        """A job ended its worker with ``code``: an interrupt, or an error that stops the sweep.

        ``title`` and ``paragraph``: the ending the worker sent, said here.
        """
        if self.stop is not None:
            return
        if code in (130, 143):  # signalled on its own: its job is interrupted, the rest go on
            self._orphan(worker, f"its worker was stopped (exit status {code})", fail=False)
            return
        # a job that cannot start (exit 2): its paragraph now; no job starts after it, and the
        # running ones finish (never signalled for another job's refusal)
        if paragraph:
            from alexnet_lab.console import print_error

            print_error(title, paragraph)
        busy = [w for w in self.workers if w is not worker and w.unit is not None]
        if busy:
            self.progress.note(
                f"No job starts after this one; the {len(busy)} running job(s) finish first "
                "(Ctrl-C stops them; resume=true continues them later)."
            )
        self.stop = Stop(code)

    def _ended(self, worker: Worker) -> None:
        """The worker's process is gone: replace it, or fail what it held if it died."""
        worker.process.join(10)
        if not worker.closing and self.stop is None:
            code = worker.process.exitcode
            how = (
                f"killed by {signal.Signals(-code).name}"
                if code is not None and code < 0
                else f"exit status {code}"
            )
            log = self._log(worker.slot)
            self._orphan(
                worker,
                f"its worker process ({worker.slot.label}) died ({how}); its output: {log}",
                fail=True,
            )
        worker.conn.close()
        index = self.workers.index(worker)
        if self.stop is None and self.queue:
            self.workers[index] = self._start(worker.slot)
        else:
            del self.workers[index]

    def _orphan(self, worker: Worker, why: str, fail: bool) -> None:
        """Settle the jobs a gone worker held.

        Started ones are failed (``fail``) or left as their records say; unstarted ones go
        back to the front of the queue.
        """
        unit, worker.unit = worker.unit, None
        if unit is None or not unit.started:
            self.start_failures += unit is not None
            if self.start_failures >= START_FAILURES:
                self.stop = Stop(
                    1,
                    f"workers died {START_FAILURES} times before a job started; "
                    f"see {self._log(worker.slot)}\n",
                )
        if unit is None:
            return
        for number in sorted(unit.started - unit.ended):
            config = self.configs[number]
            folder = Path(str(config.hydra.runtime.output_dir))
            if fail:
                record = fail_dead_job(folder, config, f"the job failed: {why}")
            else:
                record = stopped_job(folder, config, why)
            # its return, like any job's: the sweep's report callback counts it as failed
            self._finish(worker, number, config, self.hooks.dead_return(config, record))
        rest = [job for job in unit.jobs if job[0] not in unit.started]
        if rest:
            self.queue.appendleft(Unit(unit.number, rest, unit.stack and len(rest) > 1))

    # -- the end ---------------------------------------------------------------------------
    def _shutdown(self) -> None:
        """Stop every worker: idle ones by message, busy ones (on a stop) by the signal."""
        if self.stop is not None and self.stop.interrupted:
            self._signal_busy()
        for worker in self.workers:
            self._send(worker, None)
            worker.closing = True
        while self.workers:
            try:
                self._wait(1.0)
                self.progress.tick()
            except (KeyboardInterrupt, signals.Terminated):
                if self.stop is not None and not self.stop.interrupted:
                    # waiting for the running jobs after a refusal: stop them as interrupted
                    self.stop = Stop(signals.exit_code() or 130, self.stop.text, True)
                    self._signal_busy()
                    continue
                for worker in self.workers:  # again: no more waiting
                    _kill(worker, signal.SIGKILL)
                self.stop = self.stop or Stop(signals.exit_code() or 130, interrupted=True)

    def _signal_busy(self) -> None:
        """Pass the signal received (Ctrl-C, SIGTERM) on to every worker that holds a job."""
        signum = signals.RECEIVED[-1] if signals.RECEIVED else signal.SIGTERM
        for worker in self.workers:
            if worker.unit is not None and worker.process.is_alive():
                _kill(worker, signum)


def _kill(worker: Worker, signum: int) -> None:
    try:
        os.kill(worker.process.pid, signum)
    except (ProcessLookupError, TypeError):
        pass
