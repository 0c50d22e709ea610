"""One run's record from its start to its end: the only writer of its ``record.json``.

Every run of both engines is opened here (:meth:`RunSession.open`: its record built, or a
resumed run's continued, with its config, resume notes, launcher and W&B group) and driven
here: the Lightning engine through thin callbacks
(:class:`~alexnet_lab.engines.lightning.callbacks.RunRecorder`, ``StopAtTarget``) and its Hydra
job; every stacked member holds one (:mod:`alexnet_lab.engines.stacked`). What a record says at
each step is decided here, once: running with its data at the start; a row per epoch, with the
epochs to the target, ``not_learning`` and ``stopped_at_target`` recomputed from the history;
the final summary and status at the end; a failure's status, error and traceback; where its
W&B run is. A record that needs a new field, or a new engine, touches this module and the
record's type, nothing else.
"""

from __future__ import annotations

import signal
import traceback
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.utilities import rank_zero_only

from alexnet_lab.errors import DivergedError, Terminated, UserError
from alexnet_lab.models.catalog import model_spec
from alexnet_lab.record.builder import final_summary, new_record, now
from alexnet_lab.record.files import (
    RECORD_NAME,
    RunRecord,
    chance_error,
    epochs_to_target,
    is_not_learning,
    write_record,
)
from alexnet_lab.run import signals
from alexnet_lab.run.context import JobContext
from alexnet_lab.run.machine import machine_info
from alexnet_lab.run.resume import ResumePlan, job_plan

#: a run's loggers ended: ``completed`` -> (where its W&B run is, why finishing it failed)
FinishLoggers = Callable[[bool], tuple[Mapping[str, str], str | None]]
#: what an engine's opening of a run's loggers gives back (a stacked member's loggers)
Opened = TypeVar("Opened")
#: what stops a run without being a crash: Ctrl-C, SIGTERM, Lightning's sys.exit after Ctrl-C
INTERRUPTS = (KeyboardInterrupt, Terminated, SystemExit)


class RunSession:
    """A run's record and the one place that changes and writes it.

    ``num_classes`` gives the chance level until the data states its own (at :meth:`start`);
    ``stop_at_target``: a row that reaches the target ends the run (``stopped_at_target``).
    """

    def __init__(
        self,
        record: RunRecord,
        output_dir: Path | str,
        num_classes: int = 10,
        stop_at_target: bool = False,
    ) -> None:
        self.record, self.output_dir = record, Path(output_dir)
        self.stop_at_target = bool(stop_at_target and record.target_error is not None)
        self.patience = int(record.not_learning_patience or 5)
        #: the running training error of a net that answers one class; the data's, once known
        self.chance = chance_error((), num_classes)

    #: what opening the job's run does: fresh, skip or resume, for either engine
    plan = staticmethod(job_plan)

    @classmethod
    def open(
        cls,
        cfg: DictConfig,
        output_dir: Path | str,
        context: JobContext,
        *,
        plan: ResumePlan | None = None,
        launcher: str | None = None,
        wandb_group: str | None = None,
        num_classes: int = 10,
    ) -> RunSession:
        """A run's session with its record: new, or continuing as its resume ``plan`` says.

        The record says what ran (:func:`~alexnet_lab.record.builder.new_record`) and
        its resolved config; a resumed run's (``plan``: :meth:`plan`'s) carries the previous
        history and start time, and the plan's notes; ``launcher``: an engine other than
        Lightning's (``stacked``: a group of one until :meth:`joined_stack`); ``wandb_group``:
        the W&B group its loggers use. Both engines open every run here.
        """
        output_dir = Path(output_dir)
        plan = plan or ResumePlan()
        record = new_record(
            cfg,
            output_dir,
            overrides=context.overrides,
            choices=context.choices,
            switches=_switches(str(cfg.model.name)),
            machine=machine_info(),
        )
        previous, checkpoint = plan.previous, plan.checkpoint
        if plan.action == "resume" and previous is not None and checkpoint is not None:
            record.history = [dict(row) for row in previous.history]
            record.resumed_from = str(checkpoint)
            record.started_at = previous.started_at or record.started_at
        if plan.notes:
            record.resume_notes = list(plan.notes)
        if launcher is not None:
            record.launcher, record.group_size = launcher, 1
        if wandb_group is not None:
            record.wandb_group = wandb_group
        record.config = dict(OmegaConf.to_container(cfg, resolve=True))  # type: ignore[arg-type]
        stop = bool(cfg.get("stop_at_target"))
        return cls(record, output_dir, num_classes=num_classes, stop_at_target=stop)

    @classmethod
    def save_ended(
        cls, record: RunRecord, output_dir: Path | str, failed: str | None = None
    ) -> None:
        """Write the record of a run that ended outside a session: refused, or lost.

        ``failed``: why (a worker that died under its job); the record then says ``failed``.
        """
        if failed is not None:
            record.status, record.error, record.finished_at = "failed", failed, now()
        cls(record, output_dir).save()

    def set_format(self, layout: Mapping[str, Any]) -> None:
        """The memory layout and precision the run trains in, into its machine."""
        self.record.machine = {**self.record.machine, **layout}

    def joined_stack(self, size: int) -> None:
        """The run trains as one member of a stack of ``size``."""
        self.record.group_size = int(size)

    def keep_history(self, last_epoch: int) -> None:
        """A resumed run continues after ``last_epoch`` (its checkpoint's): later rows go."""
        self.record.history = [r for r in self.record.history if r["epoch"] <= last_epoch]

    def tracked(self, wandb: Mapping[str, str], error: str | None = None) -> None:
        """Where the run's W&B run is (empty: none), or why finishing it failed."""
        self.record.wandb = dict(wandb)
        if error is not None:
            self.record.wandb_error = error

    def failed_after(self, cause: str) -> None:
        """A failed run's error, after what happened first (``DDP rank 1 (pid N) died``)."""
        if self.record.status == "failed":
            self.record.error = f"{cause}. The launching process then failed: {self.record.error}"

    @property
    def path(self) -> Path:
        """Where the record is written."""
        return self.output_dir / RECORD_NAME

    @rank_zero_only
    def save(self) -> None:
        """Write the record now (global rank 0 only: DDP's other processes never write it)."""
        write_record(self.path, self.record)

    def try_save(self) -> str | None:
        """Save; None, or why it could not be saved (naming the file), e.g. a full disk."""
        try:
            self.save()
        except OSError as exc:
            return f"{self.path} ({type(exc).__name__}: {exc})"
        return None

    def start(
        self,
        data: Mapping[str, Any] | None,
        processes: int = 1,
        history: list[dict[str, Any]] | None = None,
        open_loggers: Callable[[RunRecord], Opened] | None = None,
    ) -> Opened | None:
        """The run is training: its loggers open, its data described, its global batch known.

        ``processes``: the data-parallel processes one optimiser step averages over;
        ``history``: the rows a resumed run keeps; ``open_loggers(record)``: the engine's
        opening of the run's loggers with the record's config (a W&B run starts only now, once
        the data is set up: a run whose data cannot load opens none); what it returns is
        returned. Then the record is written.
        """
        opened = open_loggers(self.record) if open_loggers is not None else None
        record = self.record
        record.status = "running"
        batch = record.setting("batch_size")
        if batch is not None:
            record.settings["global_batch_size"] = int(batch) * int(processes)
        if data is not None:
            record.data = dict(data)
            if record.chance_error is not None:
                self.chance = float(record.chance_error)
            self._note_smaller_data()
        if history is not None:
            record.history = [dict(row) for row in history]
        self._recount()  # a resumed run's rows may have reached the target already
        self.save()
        return opened

    def _note_smaller_data(self) -> None:
        """A training set smaller than ``data.train_size`` asked for: said, and recorded."""
        asked = (self.record.config.get("data") or {}).get("train_size")
        got = self.record.data.get("train_size")
        if not isinstance(asked, int) or not isinstance(got, int) or got >= asked:
            return
        self.record.data["train_size_requested"] = asked
        warnings.warn(
            f"data.train_size={asked}: the data set has only {got} training images, so this "
            f"run trains on all {got} (its record says train_size {got}, "
            f"train_size_requested {asked}). Give data.train_size={got} or less to say so.",
            UserWarning,
            stacklevel=2,
        )

    def add_epoch(self, row: dict[str, Any]) -> None:
        """A finished epoch: its row into the history, what depends on it recomputed; write.

        A resumed run repeats the epoch it was interrupted in, so the history keeps one row
        per epoch.
        """
        history = [r for r in self.record.history if r["epoch"] < row["epoch"]]
        self.record.history = [*history, row]
        self._recount()
        self.save()

    def _recount(self) -> None:
        """What the history decides: epochs to the target, not learning, stopped at target."""
        record = self.record
        record.epochs_to_target = epochs_to_target(record.history, record.target_error)
        record.not_learning = is_not_learning(record.history, self.chance, self.patience)
        if self.stop_at_target and record.epochs_to_target is not None:
            record.stopped_at_target = True

    @property
    def done(self) -> bool:
        """Whether the run has reached what it trains for early (its target, when asked)."""
        return self.record.stopped_at_target

    def finish(self, tests: Mapping[str, Mapping[str, float]], tta: str) -> RunRecord:
        """The run trained to its end: the final summary with its tests; completed; write."""
        self.record.final = final_summary(self.record.history, tests, tta)
        self.record.status, self.record.finished_at = "completed", now()
        self.save()
        return self.record

    def fail(self, exc: BaseException) -> None:
        """Set the status and error for the exception that ended the run (not written yet)."""
        record = self.record
        if isinstance(exc, UserError):
            record.status, record.error = "failed", str(exc)
        elif isinstance(exc, DivergedError):
            record.status, record.error = "diverged", str(exc)
        elif isinstance(exc, INTERRUPTS):
            self.interrupted()
        else:  # a crash: record it, let the sweep go on
            record.status, record.error = "failed", f"{type(exc).__name__}: {exc}"
            record.traceback = "".join(traceback.format_exception(exc))

    def interrupted(self) -> None:
        """A run still ``running`` when it ended was interrupted: say by what."""
        if self.record.status != "running":
            return
        how = "SIGTERM" if signal.SIGTERM in signals.RECEIVED else "Ctrl-C"
        if not signals.RECEIVED:
            how = "the process being stopped"
        self.record.status = "interrupted"
        self.record.error = f"interrupted by {how} during the run"

    def close(self, tta: str, finish_loggers: FinishLoggers | None = None) -> str | None:
        """However the run ended: a final summary if it has none, its end time; write; loggers.

        ``finish_loggers(completed)`` ends the run's loggers (its W&B run) and says where the
        W&B run is and why finishing it failed, if it did: it runs after the first write, so
        neither W&B nor a full disk may cost the record, and the record is written again with
        where its W&B run is. Returns None, or why the record could not be written (see
        :meth:`try_save`).
        """
        self.interrupted()
        if not self.record.final:
            self.record.final = final_summary(self.record.history, {}, tta)
        self.record.finished_at = now()
        unsaved = self.try_save()
        if finish_loggers is None:
            return unsaved
        self.tracked(*finish_loggers(self.record.completed))
        if not unsaved and (self.record.wandb or self.record.wandb_error):
            unsaved = self.try_save()
        return unsaved


def _switches(model: str) -> tuple[str, ...] | None:
    """The paper switches ``model`` has; None when it is not registered (the build says so)."""
    try:
        return model_spec(model).switches
    except UserError:
        return None
