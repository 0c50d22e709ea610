"""What a job's ending means: the record's status, the message, the :class:`RunEnd` it returns.

In a multirun a diverged or crashed job is recorded and the sweep goes on (Hydra would
otherwise stop at the first exception); a user error (bad option, missing data) stops
everything with one paragraph; an interrupted run stops the command, whose ending names the
command that resumes it. The ending is a value: the sweep's Hydra callback turns it into the
command's exit status (:mod:`alexnet_lab.sweep.ending`).
"""

from __future__ import annotations

import traceback
from pathlib import Path

from alexnet_lab.console import print_error
from alexnet_lab.errors import DivergedError, UserError
from alexnet_lab.folders.disk import disk_full_paragraph, is_disk_full, still_full
from alexnet_lab.folders.unused import discard_unstarted_run, discard_unstarted_sweep
from alexnet_lab.overrides import task_overrides
from alexnet_lab.record.builder import now
from alexnet_lab.record.files import RECORD_NAME, RunRecord
from alexnet_lab.run import roles, signals
from alexnet_lab.run.checkpoints import last_checkpoint
from alexnet_lab.run.context import JobContext
from alexnet_lab.run.early_checks import refuse_single_run
from alexnet_lab.run.end import Kind, RunEnd
from alexnet_lab.run.session import RunSession


def settle(
    outcome: BaseException | None,
    record: RunRecord,
    context: JobContext,
    output_dir: Path,
    unsaved: str | None = None,
) -> RunEnd:
    """After the record is saved: how the job ended, as the value it returns.

    A single run's ending ends the command (exit status 2 refused, 3 diverged, 1 disk full,
    130/143 interrupted; a crash propagates, as Hydra reports it); a sweep's crashed or
    diverged job is said here and the sweep goes on (its report callback collects the
    ``failed`` record); a user error, an interrupt or a disk still full stops the sweep. A
    full disk (or a record that could not be saved: ``unsaved`` says which and why) is one
    paragraph, no traceback (:func:`settle_disk_full`).
    """
    if (outcome is not None and is_disk_full(outcome)) or unsaved:
        end = settle_disk_full(outcome, record, context, output_dir, unsaved)
        if record.status != "interrupted":
            return end
        outcome = None  # said; an interrupted run still stops below
    if record.status == "interrupted":
        return interrupted(record, context, output_dir)
    if isinstance(outcome, UserError):
        if not record.history and roles.owns_job_folder():
            discard_unstarted_run(output_dir)  # the paragraph below is all it has to say
            if context.multirun and context.sweep_dir and not roles.is_secondary_process():
                discard_unstarted_sweep(context.sweep_dir)  # a parallel worker's: its launcher
        return _end("refused", record, context, output_dir, "cannot run", str(outcome), True)
    if isinstance(outcome, DivergedError):
        if not context.multirun:
            return _end("diverged", record, context, output_dir, "diverged", str(outcome), True)
        print_error("diverged", str(outcome))
        return _end("diverged", record, context, output_dir, "diverged", str(outcome), said=True)
    if outcome is not None:
        if not context.multirun:
            raise outcome
        traceback.print_exception(outcome)
        return _end("failed", record, context, output_dir, said=True)
    return _end("completed", record, context, output_dir)


def _end(
    kind: Kind,
    record: RunRecord,
    context: JobContext,
    output_dir: Path,
    title: str = "",
    paragraph: str = "",
    stops: bool = False,
    said: bool = False,
    status: int | None = None,
) -> RunEnd:
    """The job's :class:`RunEnd`, with where it ran and what a resume would continue."""
    folder = context.sweep_dir if context.multirun and context.sweep_dir else output_dir
    return RunEnd(
        kind,
        record,
        title,
        paragraph,
        stops=stops,
        said=said,
        multirun=context.multirun,
        folder=str(folder),
        run_dir=str(output_dir),
        signal_status=status,
    )


def settle_disk_full(
    outcome: BaseException | None,
    record: RunRecord,
    context: JobContext,
    output_dir: Path,
    unsaved: str | None,
) -> RunEnd:
    """A run that failed on a full disk, or whose record could not be saved: one paragraph.

    A single run ends with exit status 1. A sweep goes on to its next job while the disk has
    room; when it is still full, the sweep stops here (the next job could not write its first
    files): the sweep's callback tries the report of what finished and names the command that
    finishes the sweep. An interrupted run's paragraph is said here; it then stops as
    interrupted.
    """
    if roles.is_secondary_process():
        return _end("disk_full", record, context, output_dir, stops=True, status=1)
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
    if not context.multirun:
        if interrupted:
            print_error(why, paragraph)
        return _end("disk_full", record, context, output_dir, why, paragraph, not interrupted)
    if not interrupted:  # the job's return says it failed (its record may not have been saved)
        record = record.replace(
            status="failed", error=record.error or f"{why}: {unsaved or outcome}"
        )
    folder = context.sweep_dir or output_dir.parent
    if interrupted or not still_full(folder):
        goes_on = "" if interrupted else " The sweep goes on with its next job."
        print_error(why, paragraph + goes_on)
        return _end("disk_full", record, context, output_dir, why, paragraph, said=True)
    return _end("disk_full", record, context, output_dir, why, paragraph, stops=True)


def interrupted(record: RunRecord, context: JobContext, output_dir: Path) -> RunEnd:
    """An interrupted run's ending: where its last epoch is (the resume command comes later).

    The sweep's callback writes the report of what finished, adds the command that resumes,
    and ends the command with 130/143 (:func:`alexnet_lab.sweep.ending.interrupted_end`).
    """
    if roles.is_secondary_process():
        return _end(
            "interrupted",
            record,
            context,
            output_dir,
            stops=True,
            said=True,
            status=signals.exit_code() or 1,
        )
    checkpoint = last_checkpoint(output_dir)
    where = (
        f"its last finished epoch is in {checkpoint}"
        if checkpoint.is_file()
        else "it finished no epoch, so resuming starts it from the beginning"
    )
    paragraph = f"the run in {output_dir} stopped; its record says `interrupted` and {where}."
    status = signals.exit_code() or 130
    return _end(
        "interrupted", record, context, output_dir, "interrupted", paragraph, True, status=status
    )


def refuse_job(exc: UserError, output_dir: Path, context: JobContext) -> RunEnd:
    """A job whose config is invalid: it trains nothing.

    A single run leaves no output folder (only Hydra's files were in it) and ends with its
    paragraph and exit status 2. A sweep's job is recorded ``failed`` with the paragraph, and
    the sweep goes on; the command then exits 1 after the sweep report.
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
    return _end("failed", record, context, output_dir, "invalid value", str(exc), said=True)
