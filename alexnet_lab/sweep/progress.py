"""A sweep's overall progress under the sequential and stacked launchers, on a terminal.

After each job's own line: ``done 3/8, about 2m10s left`` (nothing more when piped).

The time left is counted in epochs: the epochs the remaining jobs plan, at the rate epochs
ran so far, so it holds when fast jobs (diverged, stopped at the target) end first. The
parallel launcher shows its own (:mod:`alexnet_lab.parallel.progress`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from alexnet_lab.console import console, duration
from alexnet_lab.overrides import BASIC_SWEEPER, basic_sweep_jobs
from alexnet_lab.record.files import RecordError, record_file
from alexnet_lab.record.run_record import RunRecord
from alexnet_lab.run import roles
from alexnet_lab.run.end import end_of, record_of


def job_count(config: DictConfig) -> int | None:
    """How many jobs the basic sweeper makes of this command (None where it cannot tell)."""
    raw = OmegaConf.to_container(config.hydra, resolve=False)
    assert isinstance(raw, dict)
    sweeper = raw.get("sweeper") or {}
    if sweeper.get("_target_") != BASIC_SWEEPER:
        return None
    jobs = basic_sweep_jobs(list(config.hydra.overrides.task), sweeper.get("params") or {})
    return None if jobs is None else len(jobs)


def seconds_left(elapsed: float, epochs_ran: int, epochs_to_run: float) -> float | None:
    """The epochs still to run at the rate epochs ran so far (None before one ran)."""
    if epochs_ran <= 0:
        return None
    return elapsed / epochs_ran * epochs_to_run


def epochs_of(job_return: JobReturn, config: DictConfig) -> int:
    """The epochs a finished job ran: its returned record's, else its folder's record's."""
    value = record_of(getattr(job_return, "_return_value", None))
    if isinstance(value, RunRecord):
        return len(value.history)
    try:
        folder = Path(config.hydra.runtime.output_dir)
        return len(RunRecord.load(record_file(folder)).history)
    except (RecordError, OSError, ValueError, AttributeError, TypeError):
        return 0


class SweepProgressCallback(Callback):
    """After each job of a sequential or stacked sweep: the sweep's done/total and time left."""

    def __init__(self) -> None:
        self.total: int | None = None
        self.done = self.epochs_ran = 0
        self.planned: list[int] = []
        self.console = console
        self.clock = time.monotonic  # a test's own clock replaces it
        self.started = self.clock()

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Count the jobs, unless piped, a secondary process, or the parallel launcher's."""
        launcher = str(OmegaConf.select(config, "hydra.launcher._target_", default=""))
        if roles.is_secondary_process() or "parallel" in launcher or not self.console.is_terminal:
            return
        self.total = job_count(config)
        self.started = self.clock()

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        """Count the job and its epochs; print the line (not when its ending ends the command)."""
        end = end_of(getattr(job_return, "_return_value", None))
        if self.total is None or (end is not None and end.stops):
            return
        self.done += 1
        self.epochs_ran += epochs_of(job_return, config)
        planned = OmegaConf.select(config, "trainer.max_epochs", default=None)
        if isinstance(planned, int) and planned > 0:
            self.planned.append(planned)
        self.console.print(self.line(), highlight=False, soft_wrap=True, markup=False)

    def line(self) -> str:
        """``done 3/8, about 2m10s left`` (no time before an epoch ran, none when done)."""
        assert self.total is not None
        text = f"done {self.done}/{self.total}"
        left = self.total - self.done
        if left > 0 and self.planned:
            mean = sum(self.planned) / len(self.planned)
            seconds = seconds_left(self.clock() - self.started, self.epochs_ran, left * mean)
            if seconds is not None:
                text += f", about {duration(seconds, sep='')} left"
        return text
