"""Hydra callbacks: lock a sweep's (or run's) folder while it runs; report a finished sweep."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from alexnet_lab.folders import lock as sweep_lock
from alexnet_lab.run import roles, signals
from alexnet_lab.run.failures import failure_note


class FolderLockCallback(Callback):
    """Hold the sweep's (or single run's) folder for the launching process while it runs.

    A second command into a held folder is refused before it writes anything: one paragraph on
    standard error, exit status 2 (``SystemExit``, which Hydra's callback dispatcher does not
    swallow as it does ordinary exceptions). DDP children and secondary ranks take no lock.
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
            from alexnet_lab.console import print_error

            print_error("cannot resume", str(exc))
            sys.exit(2)

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
        """Check ``folder`` (a file there, ``${`` in its name) and lock it, or exit 2.

        Any failure is one paragraph and exit status 2 (Hydra's dispatcher would reduce an
        ordinary exception to a warning and go on); a folder this made is removed again. What
        the folder held before is noted (:mod:`alexnet_lab.folders.made`): a refused run
        removes only what this command made.
        """
        if roles.is_secondary_process():
            return
        from alexnet_lab.console import print_error
        from alexnet_lab.folders.checks import folder_problem

        problem = folder_problem(folder, key)
        if problem:
            print_error("cannot use folder", problem)
            sys.exit(2)
        from alexnet_lab.folders import made

        # what was there, before the lock makes the folder (a sweep: its job folders' too)
        existed, found = folder.exists(), made.survey(folder, int(key == "hydra.sweep.dir"))
        try:
            self.held = (folder, sweep_lock.hold(folder))
            made.keep(found)
        except sweep_lock.FolderLocked as exc:
            print_error("folder in use", str(exc))
            sys.exit(2)
        except Exception as exc:
            if not existed and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
            print_error(
                "cannot use folder",
                f"{key}={folder} cannot be locked for this command ({type(exc).__name__}: "
                f"{exc}). Nothing was started. Give {key}= a folder you can write to.",
            )
            sys.exit(2)

    @staticmethod
    def _check_used(config: DictConfig, folder: Path, multirun: bool) -> None:
        """A folder with runs in it: resume=true, replace=true (moved aside) or exit 2."""
        from alexnet_lab.console import err_console, print_error
        from alexnet_lab.errors import UserError
        from alexnet_lab.folders.used_folder import check_folder

        resume, replace = bool(config.get("resume")), bool(config.get("replace"))
        try:
            aside = check_folder(folder, resume=resume, replace=replace, multirun=multirun)
        except UserError as exc:
            print_error("folder already used", str(exc))
            sys.exit(2)
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
    """The end of a sweep: its report, then which jobs failed (exit 1 when any did).

    It collects the failed jobs from the returns Hydra hands ``on_job_end`` (every launcher
    fires it per job, the parallel one in the launching process), so a job never has to
    report its failure anywhere but in its own return value.
    """

    def __init__(self) -> None:
        self.failed: list[str] = []

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        """Note the job if it failed."""
        note = failure_note(job_return)
        if note is not None:
            self.failed.append(note)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write summary.json, report.md and the figures; then name the failed jobs and exit 1.

        Launching process only. A report that cannot be built counts as a failure too.
        """
        if roles.is_secondary_process():  # only one process owns sweep-level files
            return
        # here, not at the top: a single run never pays for the report's matplotlib
        from alexnet_lab.results.sweep_report import INTERRUPTED, write_sweep_report

        if write_sweep_report(Path(config.hydra.sweep.dir), failed=self.failed) == INTERRUPTED:
            sys.exit(signals.exit_code() or 130)
        if self.failed:
            from alexnet_lab.console import print_error

            print_error(
                f"{len(self.failed)} job(s) failed",
                "These jobs failed; their records say why (status `failed`, field `error`) and "
                "the sweep report marks them: " + "; ".join(self.failed),
            )
            sys.exit(1)
