"""Hydra callbacks: lock a sweep's (or run's) folder while it runs; end the command once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from alexnet_lab.errors import CommandEnd
from alexnet_lab.folders import lock as sweep_lock
from alexnet_lab.run import roles, signals
from alexnet_lab.run.end import RunEnd, end_of
from alexnet_lab.run.failures import failure_note
from alexnet_lab.sweep.ending import job_end


class FolderLockCallback(Callback):
    """Hold the sweep's (or single run's) folder for the launching process while it runs.

    A second command into a held folder is refused before it writes anything: one paragraph,
    exit status 2 (a :class:`~alexnet_lab.errors.CommandEnd`, which Hydra's callback dispatcher
    does not swallow as it does ordinary exceptions). DDP children and secondary ranks take no lock.
    """

    def __init__(self) -> None:
        self.held: tuple[Path, sweep_lock.LockOwner] | None = None

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Lock ``hydra.sweep.dir``; under ``resume=true``, check the whole grid first."""
        self._take(Path(config.hydra.sweep.dir), "hydra.sweep.dir")
        if roles.is_secondary_process():
            return
        from alexnet_lab.errors import UserError
        from alexnet_lab.run.resume import check_sweep_before_it_starts

        # neither check loads torch or Lightning: a refused sweep answers in about a second
        self._check_used(config, Path(config.hydra.sweep.dir), multirun=True)
        try:
            check_sweep_before_it_starts(config)
        except UserError as exc:
            raise CommandEnd(2, "cannot resume", str(exc)) from None

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Lock ``hydra.run.dir``; refuse it when it holds an earlier command's run."""
        self._take(Path(config.hydra.run.dir), "hydra.run.dir")
        if not roles.is_secondary_process():
            self._check_used(config, Path(config.hydra.run.dir), multirun=False)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Release the lock (also released at exit, however the command ends)."""
        self._release()

    def on_run_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Release the lock."""
        self._release()

    def _take(self, folder: Path, key: str) -> None:
        """Check ``folder`` (a file there, ``${`` in its name) and lock it, or end (exit 2).

        Any failure is one paragraph and exit status 2 (Hydra's dispatcher would reduce an
        ordinary exception to a warning and go on); a folder this made is removed again. What
        the folder held before is noted (:mod:`alexnet_lab.folders.made`): a refused run
        removes only what this command made.
        """
        if roles.is_secondary_process():
            return
        from alexnet_lab.folders.checks import folder_problem

        problem = folder_problem(folder, key)
        if problem:
            raise CommandEnd(2, "cannot use folder", problem)
        from alexnet_lab.folders import made

        # what was there, before the lock makes the folder (a sweep: its job folders' too)
        existed, found = folder.exists(), made.survey(folder, int(key == "hydra.sweep.dir"))
        try:
            self.held = (folder, sweep_lock.hold(folder))
            made.keep(found)
        except sweep_lock.FolderLocked as exc:
            raise CommandEnd(2, "folder in use", str(exc)) from None
        except Exception as exc:
            if not existed and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
            raise CommandEnd(
                2,
                "cannot use folder",
                f"{key}={folder} cannot be locked for this command ({type(exc).__name__}: "
                f"{exc}). Nothing was started. Give {key}= a folder you can write to.",
            ) from None

    @staticmethod
    def _check_used(config: DictConfig, folder: Path, multirun: bool) -> None:
        """A folder with runs in it: resume=true, replace=true (moved aside) or end (exit 2)."""
        from alexnet_lab.console import err_console
        from alexnet_lab.errors import UserError
        from alexnet_lab.folders.used_folder import check_folder

        resume, replace = bool(config.get("resume")), bool(config.get("replace"))
        try:
            aside = check_folder(folder, resume=resume, replace=replace, multirun=multirun)
        except UserError as exc:
            raise CommandEnd(2, "folder already used", str(exc)) from None
        if aside is not None:
            err_console.print(
                f"replace=true: the earlier runs of {folder} were moved to {aside}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )

    def _release(self) -> None:
        if self.held:
            from alexnet_lab.folders.made import forget

            forget(self.held[0])
            sweep_lock.release(*self.held)
            self.held = None


class SweepReportCallback(Callback):
    """How the command ends: it collects every job's ending and raises one ``CommandEnd``.

    Each job returns a :class:`~alexnet_lab.run.end.RunEnd` (every launcher hands the returns
    to ``on_job_end``, the parallel one in the launching process), so a job never has to say
    its ending anywhere but in its return value. A job whose ending ends the command (a single
    run's; a sweep's interrupted, refused or disk-full-stopped job) ends it here, at once: the
    report of what finished and the resume command, once
    (:func:`~alexnet_lab.sweep.ending.job_end`). Otherwise the sweep's end writes its report
    and names the jobs that failed (exit 1).
    """

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.ends: list[RunEnd] = []

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        """Collect the job's ending; end the command if the job's ending ends it."""
        note = failure_note(job_return)
        if note is not None:
            self.failed.append(note)
        end = end_of(job_return._return_value)  # .return_value re-raises a failed job's error
        if end is None:
            return
        self.ends.append(end)
        if end.stops:
            raise job_end(end)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write summary.json, report.md and the figures; then name the failed jobs (exit 1).

        Launching process only. A report that cannot be built counts as a failure too.
        """
        if roles.is_secondary_process():  # only one process owns sweep-level files
            return
        # here, not at the top: a single run never pays for the report's matplotlib
        from alexnet_lab.results.sweep_report import INTERRUPTED, write_sweep_report

        if write_sweep_report(Path(config.hydra.sweep.dir), failed=self.failed) == INTERRUPTED:
            raise CommandEnd(signals.exit_code() or 130)
        if self.failed:
            raise CommandEnd(
                1,
                f"{len(self.failed)} job(s) failed",
                "These jobs failed; their records say why (status `failed`, field `error`) and "
                "the sweep report marks them: " + "; ".join(self.failed),
            )
