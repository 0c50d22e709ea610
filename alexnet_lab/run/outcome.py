"""What a job's ending means: the record's status, the message, the exit code.

In a multirun a diverged or crashed job is recorded and the sweep goes on (Hydra would
otherwise stop at the first exception); a user error (bad option, missing data) stops
everything with one paragraph; an interrupted run names the command that resumes it.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from alexnet_lab.console import print_error
from alexnet_lab.errors import DivergedError, UserError
from alexnet_lab.folders.disk import disk_full_paragraph, is_disk_full, still_full
from alexnet_lab.folders.unused import discard_unstarted_run, discard_unstarted_sweep
from alexnet_lab.overrides import shell_join, task_overrides
from alexnet_lab.record.files import RECORD_NAME, RunRecord
from alexnet_lab.run import roles, signals
from alexnet_lab.run.checkpoints import last_checkpoint
from alexnet_lab.run.context import JobContext
from alexnet_lab.run.early_checks import refuse_single_run
from alexnet_lab.run.record_builder import now
from alexnet_lab.run.resume import resume_command
from alexnet_lab.run.session import RunSession


def settle(
    outcome: BaseException | None,
    record: RunRecord,
    context: JobContext,
    output_dir: Path,
    unsaved: str | None = None,
) -> None:
    """After the record is saved: exit, raise, or note the failure and let the sweep go on.

    Exit codes: 2 a user error, 3 a single diverged run, 130/143 an interrupt; a crash of a
    single run propagates; a crashed job of a sweep returns its ``failed`` record (the sweep's
    report callback collects it from the return) and the sweep goes on. A full
    disk (or a record that could not be saved: ``unsaved`` says which and why) is one
    paragraph, no traceback (:func:`settle_disk_full`).
    """
    if (outcome is not None and is_disk_full(outcome)) or unsaved:
        settle_disk_full(outcome, record, context, output_dir, unsaved)
        if record.status != "interrupted":
            return
        outcome = None  # said; an interrupted run still stops below
    if record.status == "interrupted":
        stop_interrupted(context, output_dir)
    if isinstance(outcome, UserError):
        if not record.history and roles.owns_job_folder():
            discard_unstarted_run(output_dir)  # the paragraph below is all it has to say
            if context.multirun and context.sweep_dir and not roles.is_secondary_process():
                discard_unstarted_sweep(context.sweep_dir)  # a parallel worker's: its launcher
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


def settle_disk_full(
    outcome: BaseException | None,
    record: RunRecord,
    context: JobContext,
    output_dir: Path,
    unsaved: str | None,
) -> None:
    """A run that failed on a full disk, or whose record could not be saved: one paragraph.

    A single run exits 1. A sweep goes on to its next job while the disk has room; when it
    is still full, the sweep stops here (the next job could not write its first files): the
    report of what finished is tried, and the paragraph names the command that finishes it.
    """
    if roles.is_secondary_process():
        sys.exit(1)
    if is_disk_full(outcome) or unsaved is None:
        paragraph = disk_full_paragraph(output_dir, outcome, unsaved)
    else:
        paragraph = (
            f"the record of the run in {output_dir} could not be saved: {unsaved}. The run "
            + (f"ended with {type(outcome).__name__}: {outcome}." if outcome else "completed.")
        )
    full = is_disk_full(outcome) or "No space left" in str(unsaved)
    why = "disk full" if full else "record not saved"
    interrupted = record.status == "interrupted"  # then it still exits 130/143
    code = (signals.exit_code() or 130) if interrupted else 1
    if not context.multirun:
        print_error(why, paragraph)
        if not interrupted:
            sys.exit(code)
        return
    if not interrupted:  # the job's return says it failed (its record may not have been saved)
        record.status, record.error = "failed", record.error or f"{why}: {unsaved or outcome}"
    folder = context.sweep_dir or output_dir.parent
    if interrupted or not still_full(folder):
        goes_on = "" if interrupted else " The sweep goes on with its next job."
        print_error(why, paragraph + goes_on)
        return
    from alexnet_lab.results.sweep_report import write_sweep_report

    report = write_sweep_report(folder, announce=False)
    command = resume_command(sys.argv[1:], folder.resolve(), True)
    rebuild = shell_join(["alexnet-lab-report", str(folder.resolve())])
    said = (
        f"The report of the jobs that finished is in {folder}."
        if report is None
        else f"The sweep's report could not be written either ({report}); once there is room, "
        f"rebuild it with: {rebuild} ."
    )
    print_error(
        why,
        f"{paragraph} The disk is still full, so the sweep stops here; no job after this one "
        f"started. {said} Once there is room, finish the sweep with: {command}",
    )
    sys.exit(code)


def stop_interrupted(context: JobContext, output_dir: Path) -> None:
    """After an interrupted run: the report of what finished, the resume command, exit 130/143."""
    if roles.is_secondary_process():
        sys.exit(signals.exit_code() or 1)
    folder = context.sweep_dir if context.multirun and context.sweep_dir else output_dir
    if context.multirun:
        from alexnet_lab.results.sweep_report import write_sweep_report

        write_sweep_report(folder)
    command = resume_command(sys.argv[1:], folder.resolve(), context.multirun)
    checkpoint = last_checkpoint(output_dir)
    where = (
        f"its last finished epoch is in {checkpoint}"
        if checkpoint.is_file()
        else "it finished no epoch, so resuming starts it from the beginning"
    )
    print_error(
        "interrupted",
        f"the run in {output_dir} stopped; its record says `interrupted` and {where}. "
        f"Resume with: {command}",
    )
    sys.exit(signals.exit_code() or 130)


def refuse_job(exc: UserError, output_dir: Path, context: JobContext) -> RunRecord:
    """A job whose config is invalid: it trains nothing.

    A single run prints the paragraph, leaves no output folder (only Hydra's files were in it)
    and exits 2. A sweep's job is recorded ``failed`` with the paragraph, and the sweep goes
    on; the command then exits 1 after the sweep report.
    """
    if not context.multirun:
        refuse_single_run(exc, output_dir)
    print_error("invalid value", str(exc))
    choices = {k: v for k, v in context.choices.items() if not k.startswith("hydra")}
    record = RunRecord(
        status="failed",
        error=str(exc),
        overrides=task_overrides(list(context.overrides)),
        choices=choices,
        experiment=choices.get("experiment"),
        output_dir=str(output_dir),
        record_path=str(output_dir / RECORD_NAME),
        started_at=now(),
        finished_at=now(),
    )
    RunSession.save_ended(record, output_dir)
    return record
