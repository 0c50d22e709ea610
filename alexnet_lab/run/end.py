"""How a job ended, as a value: what it returns to its launcher and the sweep's callback.

Every job (the Hydra task function, a stacked member, a parallel worker's job) returns a
:class:`RunEnd`; the sweep's callback
(:class:`alexnet_lab.sweep.hydra_callbacks.SweepReportCallback`) collects them and turns the
command's ending into one :class:`~alexnet_lab.errors.CommandEnd`, which the console script
turns into its exit status. Pure: no torch, no Hydra.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from alexnet_lab.errors import CommandEnd

if TYPE_CHECKING:
    from alexnet_lab.record.run_record import RunRecord

Kind = Literal["completed", "refused", "diverged", "failed", "interrupted", "disk_full"]
#: every kind of ending, in the order the exit statuses are documented
KINDS: tuple[Kind, ...] = ("completed", "refused", "diverged", "failed", "interrupted", "disk_full")
#: the exit status of a single run that ended so (an interrupt: 128 + its signal)
SINGLE_RUN_STATUS = {
    "completed": 0,
    "refused": 2,
    "diverged": 3,
    "failed": 1,
    "interrupted": 130,
    "disk_full": 1,
}


@dataclass(frozen=True)
class RunEnd:
    """One job's ending: its kind, the paragraph that says it, and what a resume needs.

    ``stops``: the command ends with this job (a single run always; a sweep's job when it was
    interrupted, refused for a reason every job shares, or left the disk still full).
    ``said``: its paragraph has already been printed (a sweep's job that the sweep goes past).
    ``folder``: what the resume command continues (the sweep's folder, or the run's);
    ``run_dir``: the run's own folder; ``signal_status``: 130 or 143 for an interrupt.
    """

    kind: Kind
    record: RunRecord | None = None
    title: str = ""
    paragraph: str = ""
    stops: bool = False
    said: bool = False
    multirun: bool = False
    folder: str | None = None
    run_dir: str | None = None
    signal_status: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.kind!r} is not a kind of ending: {', '.join(KINDS)}")

    @property
    def exit_status(self) -> int:
        """The command's exit status if it ends with this job."""
        if self.kind == "interrupted":
            return self.signal_status or SINGLE_RUN_STATUS["interrupted"]
        if self.multirun and self.kind in ("diverged", "failed"):
            return 1  # a sweep goes past these; its end names them and exits 1
        return SINGLE_RUN_STATUS[self.kind]

    def command_end(self) -> CommandEnd:
        """The command's ending when it ends with this job (its paragraph not said yet)."""
        return CommandEnd(self.exit_status, self.title, "" if self.said else self.paragraph)


def record_of(value: Any) -> Any:
    """The run record a job returned: a :class:`RunEnd`'s, or the value itself."""
    return value.record if isinstance(value, RunEnd) else value


def end_of(value: Any) -> RunEnd | None:
    """The :class:`RunEnd` a job returned, or None (a launcher that returned something else)."""
    return value if isinstance(value, RunEnd) else None


#: the kind of ending that a record's status says
KIND_OF_STATUS: dict[str, Kind] = {
    "completed": "completed",
    "diverged": "diverged",
    "failed": "failed",
    "interrupted": "interrupted",
}


def ended(record: RunRecord) -> RunEnd:
    """A sweep's job whose ending its launcher settles (a stack's member, a dead worker's job).

    Its paragraph, if any, has been said; its launcher stops the sweep if it must.
    """
    kind = KIND_OF_STATUS.get(str(record.status), "failed")
    return RunEnd(kind, record, said=True, multirun=True)
