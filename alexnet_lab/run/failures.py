"""Which jobs of a sweep failed, read from what each job returned.

A sweep goes on past a job that crashed, could not save its record, was refused (an invalid
value) or lost its worker; the sweep-level Hydra callback
(:class:`alexnet_lab.sweep.hydra_callbacks.SweepReportCallback`) collects these notes from the
job returns it is handed, marks them in the report and then exits 1.
"""

from __future__ import annotations

from hydra.core.utils import JobReturn, JobStatus

from alexnet_lab.record.files import RunRecord
from alexnet_lab.run.end import record_of

#: record statuses that make a job of a sweep count as failed (a diverged run is a result)
FAILED_STATUSES = ("failed", "interrupted")


def failure_note(job_return: JobReturn) -> str | None:
    """``overrides -> why`` for a job that failed, or None.

    Failed: the job raised (Hydra's ``FAILED`` return), or its record says ``failed`` or
    ``interrupted`` (a parallel worker stopped under it while the sweep went on).
    """
    value = job_return._return_value  # .return_value re-raises a failed job's exception
    if job_return.status == JobStatus.FAILED:
        overrides = " ".join(job_return.overrides or [])
        return f"{overrides} -> {type(value).__name__}: {value}"
    value = record_of(value)  # a RunEnd's record
    if isinstance(value, RunRecord) and value.status in FAILED_STATUSES:
        why = value.error or value.status
        return f"{' '.join(value.overrides)} -> {why if len(why) <= 200 else why[:197] + '...'}"
    return None
