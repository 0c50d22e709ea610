"""What a job's ending means: the record's status, the message, the exit code.

In a multirun a diverged or crashed job is recorded and the sweep goes on (Hydra would
otherwise stop at the first exception); a user error (bad option, missing data) stops
everything with one paragraph; an interrupted run names the command that resumes it.
"""

from __future__ import annotations

import signal
import sys
import traceback
from pathlib import Path

from alexnet_lab import ddp, signals
from alexnet_lab.checkpoints import last_checkpoint
from alexnet_lab.console import print_error
from alexnet_lab.context import JobContext
from alexnet_lab.errors import DivergedError, UserError
from alexnet_lab.failures import FAILED_JOBS
from alexnet_lab.results.record import RunRecord
from alexnet_lab.resume import resume_command

#: what stops a run without being a crash: Ctrl-C, SIGTERM, Lightning's sys.exit after Ctrl-C
INTERRUPTS = (KeyboardInterrupt, signals.Terminated, SystemExit)


def record_failure(record: RunRecord, exc: BaseException) -> None:
    """Set the record's status and error for the exception that ended the run."""
    if isinstance(exc, UserError):
        record.status, record.error = "failed", str(exc)
    elif isinstance(exc, DivergedError):
        record.status, record.error = "diverged", str(exc)
    elif isinstance(exc, INTERRUPTS):
        mark_interrupted(record)
    else:  # a crash: record it, let the sweep go on
        record.status, record.error = "failed", f"{type(exc).__name__}: {exc}"
        record.extra["traceback"] = "".join(traceback.format_exception(exc))


def mark_interrupted(record: RunRecord) -> None:
    """A run still `running` when it ended was interrupted: say by what."""
    if record.status != "running":
        return
    how = "SIGTERM" if signal.SIGTERM in signals.RECEIVED else "Ctrl-C"
    if not signals.RECEIVED:
        how = "the process being stopped"
    record.status, record.error = "interrupted", f"interrupted by {how} during the run"


def settle(
    outcome: BaseException | None,
    record: RunRecord,
    context: JobContext,
    output_dir: Path,
) -> None:
    """After the record is saved: exit, raise, or note the failure and let the sweep go on.

    Exit codes: 2 a user error, 3 a single diverged run, 130/143 an interrupt; a crash of a
    single run propagates; a crashed job of a sweep is added to :data:`FAILED_JOBS`.
    """
    if record.status == "interrupted":
        stop_interrupted(context, output_dir)
    if isinstance(outcome, UserError):
        print_error("cannot run", str(outcome))
        sys.exit(2)
    if isinstance(outcome, DivergedError):
        print_error("diverged", str(outcome))
        if not context.multirun:
            sys.exit(3)
    elif outcome is not None:
        if not context.multirun:
            raise outcome
        traceback.print_exception(outcome)
        FAILED_JOBS.append(f"{' '.join(record.overrides)} -> {record.error}")


def stop_interrupted(context: JobContext, output_dir: Path) -> None:
    """After an interrupted run: the report of what finished, the resume command, exit 130/143."""
    if ddp.is_secondary_process():
        sys.exit(signals.exit_code() or 1)
    folder = context.sweep_dir if context.multirun and context.sweep_dir else output_dir
    if context.multirun:
        from alexnet_lab.callbacks import write_sweep_report

        write_sweep_report(folder)
    command = resume_command(sys.argv[1:], folder.resolve(), context.multirun)
    print_error(
        "interrupted",
        f"the run in {output_dir} stopped; its record says `interrupted` and its last finished "
        f"epoch is in {last_checkpoint(output_dir)}. Resume with: {command}",
    )
    sys.exit(signals.exit_code() or 130)
