"""``RunRecord``: the typed run record, the one contract between training and results.

Training writes one per run (``<run dir>/record.json``, :func:`.files.write_record`); the
sweep report and the tests (``tests/records.py``) read them back through this class, never
through string-keyed lookups.

Formats: 1 is the plain dict training wrote before this class existed; 2 is the same layout
written from a ``RunRecord``. Both read the same way; fields this class does not
know are kept in :attr:`RunRecord.extra` and written back, so a round trip loses nothing.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 2
#: a running training error within this of the majority-class error counts as at chance
CHANCE_MARGIN = 0.02
#: a running training error this far under chance counts as learnt (for the test-at-chance flag)
LEARNT_BELOW = 0.2
#: the fields without which a record says nothing usable: what ran, and how it went
REQUIRED = {"overrides": list, "status": str}
#: fields that must be JSON objects (or lists of objects) when present
_OBJECTS = (
    "choices", "settings", "report", "final", "data", "machine", "config", "wandb", "extra"
)  # fmt: skip


def number(value: Any) -> float | None:
    """A stored number as a float; None when it is missing: null, NaN, infinite or not a number.

    Records store NaN and infinities as the strings ``"nan"`` and ``"inf"`` (strict JSON has
    no such numbers): those are missing values too, never numbers to average.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def non_finite(value: Any) -> bool:
    """Whether a stored value is NaN or infinite (as a float, or as the string a record keeps)."""
    if value is None or isinstance(value, bool):
        return False
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def read_json(path: Path | str) -> dict[str, Any]:
    """The JSON object of the record at ``path``, its shape checked.

    Raises :class:`RecordError` (naming the file and why) when it is not valid JSON, not an
    object, or lacks ``overrides`` (a list) or ``status`` (a string).
    """
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(path, f"it cannot be read ({exc})") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        reason = "it is empty" if not text.strip() else f"it is not valid JSON ({exc})"
        raise RecordError(path, reason + ", e.g. cut short by a full disk or a crash") from exc
    try:
        check_shape(data)
    except ValueError as exc:
        raise RecordError(path, str(exc)) from exc
    return data


class RecordError(ValueError):
    """A run record that cannot be read: not JSON, not an object, or missing what it must say."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


def check_shape(data: Any) -> None:
    """Raise ``ValueError`` (the reason) when ``data`` is not a run record's JSON object."""
    if not isinstance(data, dict):
        raise ValueError(f"the record is a JSON {type(data).__name__}, not an object")
    for name, kind in REQUIRED.items():
        if not isinstance(data.get(name), kind):
            what = "missing" if name not in data else f"a {type(data[name]).__name__}"
            raise ValueError(f"its field `{name}` is {what}, not a {kind.__name__}")
    for name in _OBJECTS:
        if data.get(name) is not None and not isinstance(data[name], dict):
            raise ValueError(f"its field `{name}` is not an object")
    history = data.get("history")
    if history is not None and not (
        isinstance(history, list) and all(isinstance(row, dict) for row in history)
    ):
        raise ValueError("its field `history` is not a list of objects")
    version = 1 if data.get("format") is None else data["format"]  # none: the oldest records
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"its field `format` is {version!r}, not a format number")
    if version > FORMAT:
        raise ValueError(
            f"it is of format {version}, newer than this alexnet-lab reads (format {FORMAT}): "
            "a newer version wrote it; upgrade alexnet-lab to read it"
        )
    wrong = _not_a_number(data)
    if wrong:
        raise ValueError(wrong)


#: fields whose values are numbers (or null, or NaN/inf as the strings a record stores them as)
_NUMBERS = ("target_error", "epochs_to_target", "seed", "not_learning_patience", "group_size")
#: in a history row or below ``final``: these keys and every ``*_error`` hold numbers
_ROW_NUMBERS = ("epoch", "lr", "seconds", "stack_seconds")
_NON_FINITE = ("nan", "inf", "-inf", "NaN", "Infinity", "-Infinity")


def _is_number(value: Any) -> bool:
    if value is None or value in _NON_FINITE:
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _not_a_number(data: dict[str, Any]) -> str | None:
    """The first field that must hold a number but does not, as the reason; else None."""
    for name in _NUMBERS:
        if not _is_number(data.get(name)):
            return f"its field `{name}` is {data[name]!r}, not a number"
    for i, row in enumerate(data.get("history") or []):
        for key, value in row.items():
            if (key in _ROW_NUMBERS or key.endswith("_error")) and not _is_number(value):
                return f"its field `history[{i}].{key}` is {value!r}, not a number"
    return _final_not_a_number(data.get("final") or {}, "final")


def _final_not_a_number(tree: dict[str, Any], where: str) -> str | None:
    for key, value in tree.items():
        if isinstance(value, dict):
            found = _final_not_a_number(value, f"{where}.{key}")
            if found:
                return found
        elif str(key).endswith("_error") and not _is_number(value):
            return f"its field `{where}.{key}` is {value!r}, not a number"
    return None


#: fields that say where a record was read from or how the report split it: never written
_LOCAL = ("path", "tested_view")


@dataclass
class RunRecord:
    """One run: what ran (overrides, settings), how it went (status, history) and its results."""

    format: int = FORMAT
    status: str = "running"
    overrides: list[str] = field(default_factory=list)
    seed: int | None = None
    claim: str | None = None
    experiment: str | None = None
    #: config-group choices (``activation: relu``), as Hydra composed them
    choices: dict[str, Any] = field(default_factory=dict)
    #: the resolved values a verdict is conditional on: model, data, init, scale, lr, ...
    settings: dict[str, Any] = field(default_factory=dict)
    #: how the sweep report groups runs: ``arm_group``, ``select_keys``, ``replicate_keys``
    report: dict[str, Any] = field(default_factory=dict)
    target_error: float | None = None
    not_learning_patience: int | None = None
    #: one row per epoch: epoch, train_error (running), val_error, val_top5_error, lr, seconds
    #: (a stacked member's: its share of the stack's epoch; ``stack_seconds``: the whole epoch)
    history: list[dict[str, Any]] = field(default_factory=list)
    #: last and best values; ``test`` (the configured view), ``tests`` (every view tested)
    final: dict[str, Any] = field(default_factory=dict)
    epochs_to_target: int | None = None
    #: the run ended at the target (``stop_at_target=true``), before its epoch budget
    stopped_at_target: bool = False
    not_learning: bool = False
    #: what the data module says about the data: train_size, chance_error, augmentation, ...
    data: dict[str, Any] = field(default_factory=dict)
    #: the machine that trained it (``alexnet_lab.run.machine``); empty in older records
    machine: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    output_dir: str | None = None
    record_path: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    wandb: dict[str, Any] = field(default_factory=dict)
    #: the W&B group the run joined (its sweep), when it logged to W&B
    wandb_group: str | None = None
    #: a W&B run that could not be finished (the run itself is unharmed)
    wandb_error: str | None = None
    #: the launcher that trained it, when not Hydra's basic one (``stacked``), and its stack's size
    launcher: str | None = None
    group_size: int | None = None
    #: a resumed run: the checkpoint it continued from, and what ``resume=true`` decided
    resumed_from: str | None = None
    resume_notes: list[str] = field(default_factory=list)
    #: a failed run's traceback (the console prints ``error``; this is for the curious)
    traceback: str | None = None
    #: unknown fields, kept so that writing the record back loses nothing
    extra: dict[str, Any] = field(default_factory=dict)
    #: where the record was read from (not written)
    path: str | None = None
    #: the test view this copy stands for, when a run tested several (not written)
    tested_view: str | None = None

    # -- constructors -----------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunRecord:
        """A record from its JSON object (format 1 or 2); unknown fields go to ``extra``."""
        known = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        values = {k: v for k, v in data.items() if k in known and v is not None}
        extra = dict(data.get("extra") or {})
        extra.update({k: v for k, v in data.items() if k not in known and k != "extra"})
        values["format"] = int(data.get("format") or 1)  # no field: the oldest records
        for name in _OBJECTS[:-1]:  # every object field but extra
            values[name] = dict(values.get(name) or {})
        values["overrides"] = list(values.get("overrides") or [])
        values["history"] = [dict(row) for row in values.get("history") or []]
        values["resume_notes"] = [str(note) for note in values.get("resume_notes") or []]
        return cls(**values, extra=extra)

    @classmethod
    def load(cls, path: Path | str) -> RunRecord:
        """Read ``record.json`` at ``path``; :attr:`path` says where it was found.

        Raises :class:`RecordError` as :func:`read_json` does.
        """
        try:
            record = cls.from_dict(read_json(path))
        except (ValueError, TypeError) as exc:
            if isinstance(exc, RecordError):
                raise
            raise RecordError(path, str(exc)) from exc
        record.path = str(path)
        return record

    @classmethod
    def coerce(cls, record: RunRecord | Mapping[str, Any]) -> RunRecord:
        """``record`` itself, or the record its dict describes."""
        if isinstance(record, RunRecord):
            return record
        coerced = cls.from_dict(record)
        coerced.path = record.get("path")
        return coerced

    def to_dict(self) -> dict[str, Any]:
        """The JSON object written to disk (format 2; unknown fields back at the top level)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in (*_LOCAL, "extra"):
            out.pop(name)
        out["format"] = FORMAT
        return {**out, **{k: v for k, v in self.extra.items() if k not in out}}

    def replace(self, **changes: Any) -> RunRecord:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    # -- typed accessors --------------------------------------------------------------------

    def setting(self, name: str, default: Any = None) -> Any:
        """One resolved setting (``lr``, ``init``, ``max_epochs``, ...), else ``default``."""
        return self.settings.get(name, default)

    def choice(self, key: str) -> str | None:
        """The value of a config group or setting named ``key`` (choices first)."""
        value = self.choices.get(key, self.settings.get(key))
        return None if value is None else str(value)

    @property
    def completed(self) -> bool:
        """Whether the run finished its epochs (its final values are the whole run's)."""
        return self.status == "completed"

    @property
    def max_epochs(self) -> int:
        """The epoch budget (the epochs run, for records that do not say)."""
        return int(self.setting("max_epochs", len(self.history)))

    @property
    def global_batch(self) -> int | None:
        """The batch one optimiser step averages over (per-process batch x processes)."""
        value = self.setting("global_batch_size")
        return None if value is None else int(value)

    @property
    def train_size(self) -> int | None:
        """Training images, as the data module counted them."""
        return self.data.get("train_size")

    @property
    def num_classes(self) -> int | None:
        """The number of classes, as the data module counted them."""
        value = number(self.data.get("num_classes"))
        return int(value) if value else None

    @property
    def chance_error(self) -> float | None:
        """The majority-class error of the training set the run was held against.

        From the number of classes (``1 - 1/K``) when the record lacks the field.
        """
        value = number(self.data.get("chance_error"))
        if value is None and self.num_classes:
            return 1.0 - 1.0 / self.num_classes
        return value

    @property
    def at_chance(self) -> bool:
        """Whether the last epoch's running training error sat at chance, whatever the length.

        At chance: within :data:`CHANCE_MARGIN` of the majority-class error, or above it.
        """
        chance, last = self.chance_error, self.last("train_error")
        return bool(chance) and last is not None and last >= float(chance or 0) - CHANCE_MARGIN

    @property
    def test_at_chance(self) -> bool:
        """Test top-1 error at chance although the running training error is low.

        Low: at least :data:`LEARNT_BELOW` under chance. A net that learnt its training set
        but tests at chance points at the test (its view, labels or input), not at the net.
        """
        chance = self.chance_error
        if not chance:
            return False
        test = number(self.test_result().get("top1_error"))
        train = self.last("train_error")
        return (
            test is not None
            and train is not None
            and test >= chance - CHANCE_MARGIN
            and train <= chance - LEARNT_BELOW
        )

    @property
    def did_not_learn(self) -> bool:
        """Flagged while training (``not_learning``) or ending at chance, however short."""
        return self.not_learning or self.at_chance

    @property
    def last_row(self) -> dict[str, Any]:
        """The last epoch's history row (empty before the first epoch ends)."""
        return self.history[-1] if self.history else {}

    def last(self, key: str) -> float | None:
        """A value of the last epoch (``train_error``, ``val_error``, ...), if recorded.

        None when the last epoch lacks it or stored it as NaN or null (missing).
        """
        return number(self.last_row.get(key))

    @property
    def best(self) -> dict[str, Any]:
        """The epoch of best validation error: ``epoch``, ``val_error``, ``val_top5_error``."""
        return dict(self.final.get("best") or {})

    @property
    def test_views(self) -> dict[str, dict[str, Any]]:
        """Every test view's result (``center``, ``ten_crop``) when the run tested several."""
        return dict(self.final.get("tests") or {})

    def test_result(self, view: str | None = None) -> dict[str, Any]:
        """The test result of ``view`` (default: the configured view, ``final.test``)."""
        if view is not None:
            return dict(self.test_views.get(view) or {})
        return dict(self.final.get("test") or {})

    def test_error(self, top: int = 1, view: str | None = None) -> float | None:
        """Test top-``top`` error of the final weights; None when the view was not tested.

        Never filled in from another field: a missing ten-crop result is not the centre
        crop's, a NaN or null is missing. Only the oldest records (format 1, written before
        runs were tested) give their last validation error, which was the test split's.
        """
        value = self.test_result(view).get(f"top{top}_error")
        if view is None and self.format == 1 and "test" not in self.final:
            value = self.last("val_error" if top == 1 else f"val_top{top}_error")
        return number(value)

    def with_test_view(self, view: str, key: str) -> RunRecord:
        """The run as tested on ``view`` alone, the view standing as override ``key=view``."""
        kept = [o for o in self.overrides if not o.startswith(f"{key}=")]
        final = dict(self.final, test=self.test_result(view))
        return self.replace(overrides=[*kept, f"{key}={view}"], final=final, tested_view=view)

    @property
    def arm_group(self) -> str | None:
        """The config group the sweep's arms vary, as the experiment states it."""
        return self.report.get("arm_group")

    @property
    def select_keys(self) -> list[str]:
        """Overrides the report selects per arm (the best value wins), as the experiment says."""
        return list(self.report.get("select_keys") or [])

    @property
    def replicate_keys(self) -> list[str]:
        """Overrides that repeat a run (the seed)."""
        return list(self.report.get("replicate_keys") or ["seed"])

    @property
    def run_id(self) -> str:
        """What tells one trained run from another (copies per test view share it)."""
        return str(self.output_dir or self.path or id(self))
