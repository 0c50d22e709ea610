"""One worker process of the parallel launcher: takes units from the launcher, runs their jobs.

It starts fresh (multiprocessing's spawn context: a new interpreter, no CUDA context of the
launcher's), already pinned by its environment (:func:`alexnet_lab.parallel.devices.worker_env`),
in a process group of its own, so that a terminal's Ctrl-C reaches only the launcher, which
passes the same signal on to every worker. Each job runs exactly as under Hydra's basic launcher
(``BasicLauncher.launch`` for one job, with its own number), and a stack exactly as under the
stacked launcher (``StackedSweep.run_group``); only Hydra's job callbacks are relayed to
the launcher, which calls the sweep's real ones. Its output goes to a log file of its own.
"""

from __future__ import annotations

import atexit
import importlib
import inspect
import os
import pickle
import signal
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, NoReturn

from hydra.core.utils import JobReturn, JobStatus
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from alexnet_lab.errors import CommandEnd
from alexnet_lab.parallel.devices import Slot

#: a job callback's message to the launcher: ("start", num, config) or ("end", num, config, ret)
Message = tuple[Any, ...]


@dataclass
class WorkerSetup:
    """What a worker needs from the launcher (pickled once at its start)."""

    config: DictConfig
    config_loader: Any
    #: Hydra's singletons but OmegaConf's resolvers (local functions pickle cannot carry)
    singleton_state: Any
    task: Any  # the task function, or (module, qualname) of one pickle cannot carry
    max_members: int | None
    cpu_members: int
    log: str


def task_reference(task_function: Any) -> Any:
    """The task function itself if pickle can carry it, else its module and qualified name.

    ``@hydra.main`` leaves the module's name bound to its wrapper, so pickle cannot.
    """
    try:
        pickle.dumps(task_function)
        return task_function
    except (pickle.PicklingError, AttributeError, TypeError):
        return (task_function.__module__, task_function.__qualname__)


def resolve_task(task: Any) -> Any:
    """The task function back from :func:`task_reference`."""
    if not isinstance(task, tuple):
        return task
    module, qualname = task
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return inspect.unwrap(found)


def plain(config: Any) -> Any:
    """A config without its structured types, safe to pickle.

    Hydra executes plugin modules (its own sweeper's and launcher's config classes among them)
    outside ``sys.modules``, so pickle cannot find a typed node's class by name.
    """
    if not isinstance(config, DictConfig):
        return config
    return OmegaConf.create(OmegaConf.to_container(config, resolve=False))


def portable(ret: JobReturn) -> JobReturn:
    """The job's return, safe to pickle: plain configs, a failure that cannot be, as text."""
    ret.cfg, ret.hydra_cfg = plain(ret.cfg), plain(ret.hydra_cfg)
    if ret.status == JobStatus.FAILED:
        try:
            pickle.dumps(ret._return_value)
        except Exception:
            error = ret._return_value
            ret._return_value = RuntimeError(f"{type(error).__name__}: {error}")
    return ret


class Relay(Callback):
    """Hydra's job callbacks of a worker: sent to the launcher, which fires the sweep's own."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Tell the launcher that the job started (its number and config)."""
        self.conn.send(("start", int(config.hydra.job.num), plain(config)))

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        """Hand the launcher the job's return; a job whose ending ends the command ends it.

        As the sweep's own callback would; such a job is settled by the worker's ``exit``
        message, which carries its ending (:func:`serve`).
        """
        from alexnet_lab.run.end import end_of

        end = end_of(job_return._return_value)
        if end is not None and end.stops:
            raise end.command_end()
        message = ("end", int(config.hydra.job.num), plain(config), portable(job_return))
        self.conn.send(message)


def _detach(log: str) -> None:
    """Own process group, die with the launcher (Linux), output to the worker's log file."""
    os.setpgrp()
    if sys.platform.startswith("linux"):
        import ctypes

        try:  # PR_SET_PDEATHSIG: a SIGTERM when the launcher dies, even by SIGKILL
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
        except (OSError, AttributeError):
            pass
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def serve(conn: Connection, slot: Slot, setup: WorkerSetup) -> None:
    """The worker's main: run the units the launcher sends until it sends None."""
    _detach(setup.log)
    from hydra.core.singleton import Singleton
    from hydra.core.utils import setup_globals
    from hydra.types import HydraContext
    from omegaconf.basecontainer import BaseContainer

    from alexnet_lab.parallel.devices import pin_this_process
    from alexnet_lab.quiet import quiet_terminal
    from alexnet_lab.run import signals

    signals.install()
    quiet_terminal()
    pin_this_process(slot)
    setup_globals()  # Hydra's resolvers (now, hydra:...), registered here as in the launcher
    state = dict(setup.singleton_state)
    state["omegaconf_resolvers"] = BaseContainer._resolvers
    Singleton.set_state(state)
    # Hydra's context types its callbacks as its internal dispatcher; the launchers and
    # run_job call only on_job_start and on_job_end, which Relay (a public Callback) has
    relay: Any = Relay(conn)
    context = HydraContext(config_loader=setup.config_loader, callbacks=relay)
    task = resolve_task(setup.task)
    print(f"worker {slot.label}: pid {os.getpid()}", flush=True)
    try:
        conn.send(("ready", os.getpid()))
        while (unit := conn.recv()) is not None:
            number, jobs, stack = unit
            end = run_unit(context, task, setup, jobs, stack)
            if end is None:
                conn.send(("done", number, None))
                continue
            conn.send(("exit", number, end.status, end.title, end.paragraph))
            return
    except (KeyboardInterrupt, signals.Terminated, EOFError):
        return  # stopped between jobs, or the launcher is gone
    end_at_once()  # the queue is empty: the launcher waits for this exit to write the report


def end_at_once() -> NoReturn:
    """End the worker with its exit hooks run but without the interpreter's teardown.

    Tearing down torch's and Lightning's modules takes seconds (the launcher of a 2-job sweep
    waited 8.4 s for its 2 workers' exits, against 0.4 s so, on a busy 2-core AMD EPYC CPU on
    2026-12-07), and the launcher waits for every worker to exit before the sweep's report.
    Every job's record is written and closed by now; as at an interpreter's exit, threads
    that are not daemons are waited for, then the exit hooks (logging's, multiprocessing's,
    W&B's) run.
    """
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def run_unit(
    context: Any, task: Any, setup: WorkerSetup, jobs: list[tuple[int, list[str]]], stack: bool
) -> CommandEnd | None:
    """Run one unit's jobs.

    Returns the ending of a job that ended the worker (None: none), as a value the launcher
    is sent; each other job's return (failed or not) already went to it through
    :class:`Relay`.
    """
    from hydra.core.utils import configure_log

    from alexnet_lab.run import signals
    from alexnet_lab.sweep.launcher_base import basic_launcher
    from alexnet_lab.sweep.stacked_sweep import StackedSweep

    try:
        if stack:  # as StackedSweep.launch prepares a group, with its log lines
            configure_log(setup.config.hydra.hydra_logging, setup.config.hydra.verbose)
            stacked = StackedSweep(setup.max_members, setup.cpu_members, "always")
            stacked.setup(hydra_context=context, task_function=task, config=setup.config)
            stacked.run_group(jobs)
        else:
            basic = basic_launcher(context, task, setup.config)
            for number, overrides in jobs:
                basic.launch([overrides], number)
    except CommandEnd as end:  # an interrupted job, or one that stops the sweep (exit 2)
        return end
    except SystemExit as exc:  # a library's own exit
        return CommandEnd(exc.code if isinstance(exc.code, int) else 1)
    except (KeyboardInterrupt, signals.Terminated):  # between two jobs' own handling
        return CommandEnd(signals.exit_code() or 130)
    return None
