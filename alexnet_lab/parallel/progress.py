"""What the parallel launcher shows: a line per worker and the sweep's done/total, time left.

The time left is counted in epochs (those still to run, at the rate this command's epochs ran
so far), so it holds when fast jobs end first, and a resumed sweep's earlier epochs, which its
clock did not pay for, do not make the rest look short.

On a terminal a rich ``Live`` region redraws one line per worker (its device, job and epoch)
under the finished jobs' lines; piped, every change is a plain line of its own. The epoch is
read from the job's record (``record.json``, written after every epoch), so the workers need
no channel of their own for it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.text import Text

from alexnet_lab.console import duration
from alexnet_lab.record.files import record_file


@dataclass
class Running:
    """A job on a worker: its number, overrides, folder, epochs done and planned.

    ``start``: the epochs its record already listed when this command took it (a resumed or
    completed run's), which this command's clock did not pay for.
    """

    number: int
    overrides: str
    folder: Path
    epochs: int | None
    done: int = 0
    start: int = 0

    @property
    def ran_here(self) -> int:
        """The epochs this command trained of it."""
        return max(self.done - self.start, 0)


def epochs_done(folder: Path) -> int:
    """How many epochs the job's record lists so far (0 before the first)."""
    try:
        return len(json.loads(record_file(folder).read_text()).get("history") or [])
    except (OSError, ValueError, AttributeError):
        return 0


class Progress:
    """The sweep's progress: ``with Progress(...) as p`` around the launcher's queue."""

    def __init__(
        self,
        console: Console,
        total: int,
        labels: list[str],
        live: bool,
        common: frozenset[str] = frozenset(),
    ) -> None:
        """``common``: the overrides every job shares, left out of the job's lines."""
        self.console, self.total, self.labels, self.common = console, total, labels, common
        self.running: dict[str, Running] = {}
        self.done = self.failed = 0
        #: epochs the ended jobs ran, and the epochs each started job planned
        self.epochs_ran = 0
        self.planned: list[int] = []
        self.clock = time.monotonic  # a test's own clock replaces it
        self.started = self.clock()
        self.live = Live(console=console, auto_refresh=False, transient=True) if live else None

    def __enter__(self) -> Progress:
        if self.live:
            self.live.start()
            self.refresh()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.live:
            self.live.stop()

    def job_started(
        self, label: str, number: int, overrides: list[str], folder: Path, epochs: Any
    ) -> None:
        """A worker took job ``number``."""
        total = int(epochs) if str(epochs).isdigit() else None
        own = " ".join(o for o in overrides if o not in self.common) or " ".join(overrides)
        before = epochs_done(folder)  # a resumed or completed run's earlier epochs
        self.running[label] = Running(number, own, folder, total, done=before, start=before)
        if total:
            self.planned.append(total)
        self._plain(f"[{label}] #{number} started: {own}")
        self.refresh()

    def job_ended(self, label: str, number: int, failed: bool) -> None:
        """Job ``number`` ended (its outcome line is printed by the launcher)."""
        if label in self.running and self.running[label].number == number:
            job = self.running.pop(label)
            self._read(label, job)  # its last epochs, seen or not
            self.epochs_ran += job.ran_here
        self.done += 1
        self.failed += failed
        self._plain(self.summary())
        self.refresh()

    def note(self, text: str) -> None:
        """A line above the live region (or a plain line)."""
        self.console.print(escape(text), soft_wrap=True, highlight=False)
        self.refresh()

    def tick(self) -> None:
        """Read the running jobs' epochs; redraw (or print the epochs that changed)."""
        for label, job in self.running.items():
            self._read(label, job)
        self.refresh()

    def _read(self, label: str, job: Running) -> None:
        done = epochs_done(job.folder)
        if done != job.done:
            job.done = done
            self._plain(f"[{label}] #{job.number} epoch {done}/{job.epochs or '?'}")

    def summary(self) -> str:
        """``done 3/8 (1 failed), about 2m10s left``."""
        text = f"done {self.done}/{self.total}"
        if self.failed:
            text += f" ({self.failed} failed)"
        seconds = self.seconds_left()
        if seconds is not None:
            text += f", about {duration(seconds, sep='')} left"
        return text

    def seconds_left(self) -> float | None:
        """The time left: the epochs still to run at the rate epochs ran so far.

        Counted in epochs, not jobs, so that jobs that end early (diverged, stopped at the
        target, a small grid point) do not make the rest look short; a job not started yet
        counts the mean of the epochs the started ones planned. Without planned epochs, the
        jobs left at the time each ended job took. None before anything ended or ran.
        """
        elapsed = self.clock() - self.started
        left_jobs = self.total - self.done
        if left_jobs <= 0:
            return None
        ran = self.epochs_ran + sum(job.ran_here for job in self.running.values())
        if self.planned and ran:
            waiting = left_jobs - len(self.running)
            mean = sum(self.planned) / len(self.planned)
            to_run = sum(max((job.epochs or mean) - job.done, 0) for job in self.running.values())
            return elapsed / ran * (to_run + waiting * mean)
        if self.done:
            return elapsed / self.done * left_jobs
        return None

    def refresh(self) -> None:
        """Redraw the live region: one line per worker, then the summary."""
        if not self.live:
            return
        lines = []
        for label in self.labels:
            job = self.running.get(label)
            if job is None:
                lines.append(Text(f"{label:<14} idle", style="dim"))
                continue
            epoch = f"epoch {job.done}/{job.epochs or '?'}"
            line = f"{label:<14} #{job.number:<4} {epoch:<12} {job.overrides}"
            lines.append(Text(line, no_wrap=True, overflow="ellipsis"))
        lines.append(Text(self.summary(), style="bold"))
        self.live.update(Group(*lines), refresh=True)

    def _plain(self, text: str) -> None:
        if not self.live:
            self.console.print(escape(text), soft_wrap=True, highlight=False)
