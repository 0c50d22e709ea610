"""How a command of runs ends: the report of what finished, the resume command, the status.

An interrupted command (a job's Ctrl-C or SIGTERM, or one outside any job, while a launcher
sets up or between jobs) ends through :func:`interrupted_end`, the one place that writes the
report of the jobs that finished, names the command that resumes them and gives the exit
status 130/143. A sweep that stops on a disk still full ends through :func:`disk_full_end`.
Both return the :class:`~alexnet_lab.errors.CommandEnd` that the caller raises.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alexnet_lab.errors import CommandEnd
from alexnet_lab.overrides import shell_join
from alexnet_lab.run import signals
from alexnet_lab.run.end import RunEnd

#: the paragraph of a sweep interrupted outside any job (its start, between jobs, a worker's)
SWEEP_STOPPED = (
    "the sweep in {folder} stopped. Finished runs are kept; the runs that were training say "
    "`interrupted` in their records and continue from their last finished epoch "
    "(checkpoints/last.ckpt); jobs not started yet run then."
)
#: the paragraph of a stack of jobs interrupted
STACK_STOPPED = (
    "the stacked jobs in {folder} stopped; their records say `interrupted` and each one's last "
    "finished epoch is in checkpoints/stacked_last.pt."
)


def interrupted_end(
    folder: Path, multirun: bool, said: str, status: int | None = None
) -> CommandEnd:
    """The report of what finished (a sweep), the resume command, exit 130/143.

    ``said``: what stopped (a sentence); the command that resumes ``folder`` follows it.
    """
    if multirun:
        try:
            from alexnet_lab.results.sweep_report import write_sweep_report

            write_sweep_report(folder)
        except (KeyboardInterrupt, signals.Terminated):
            pass  # a second interrupt: the paragraph still follows
    from alexnet_lab.run.resume import resume_command

    command = resume_command(sys.argv[1:], folder.resolve(), multirun)
    status = status or signals.exit_code() or 130
    return CommandEnd(status, "interrupted", f"{said} Resume with: {command}")


def sweep_interrupted(sweep_dir: Path, status: int | None = None) -> CommandEnd:
    """A sweep interrupted outside any job's own handling: its ending."""
    return interrupted_end(sweep_dir, True, SWEEP_STOPPED.format(folder=sweep_dir), status)


def disk_full_end(folder: Path, end: RunEnd) -> CommandEnd:
    """A sweep's job left the disk still full: the report of what finished is tried, exit 1."""
    from alexnet_lab.results.sweep_report import write_sweep_report
    from alexnet_lab.run.resume import resume_command

    report = write_sweep_report(folder, announce=False)
    command = resume_command(sys.argv[1:], folder.resolve(), True)
    rebuild = shell_join(["alexnet-lab-report", str(folder.resolve())])
    said = (
        f"The report of the jobs that finished is in {folder}."
        if report is None
        else f"The sweep's report could not be written either ({report}); once there is room, "
        f"rebuild it with: {rebuild} ."
    )
    return CommandEnd(
        1,
        end.title,
        f"{end.paragraph} The disk is still full, so the sweep stops here; no job after this one "
        f"started. {said} Once there is room, finish the sweep with: {command}",
    )


def job_end(end: RunEnd) -> CommandEnd:
    """The command's ending when it ends with this job's :class:`RunEnd`."""
    folder = Path(end.folder or ".")
    if end.said or not end.paragraph:
        return CommandEnd(end.exit_status)
    if end.kind == "interrupted":
        return interrupted_end(folder, end.multirun, end.paragraph, end.exit_status)
    if end.kind == "disk_full" and end.multirun:
        return disk_full_end(folder, end)
    return end.command_end()
