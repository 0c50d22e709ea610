"""The failed jobs of this process: a sweep goes on past them, the command then exits 1.

Its own module so that the job (which records a crashed job) and the sweep-level Hydra callback
(which records a failed report) share the list without importing each other.
"""

from __future__ import annotations

#: "overrides -> reason" of the jobs (and sweep reports) of this process that failed
FAILED_JOBS: list[str] = []
