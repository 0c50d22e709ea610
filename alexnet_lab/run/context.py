"""What a run needs to know about the job around it, as plain values (no Hydra globals).

The Hydra job reads ``HydraConfig`` once into a :class:`JobContext` (:func:`job_context`); a
test or a notebook that calls :func:`alexnet_lab.engines.lightning.train.train` directly passes
one of its own, or none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode


@dataclass(frozen=True)
class JobContext:
    """The job a run belongs to.

    ``overrides``: the task overrides as typed (``activation=tanh``, ``resume=true``);
    ``choices``: the config-group choices (``{"model": "convnet4", ...}``, Hydra's own
    groups left out); ``sweep_dir``: the multirun's folder; ``multirun``: whether the run is
    one job of a sweep; ``checked``: whether the job's pre-run checks
    (:func:`alexnet_lab.run.preflight.preflight`) were made and passed, so nothing later
    makes them again (:func:`alexnet_lab.run.preflight.check_job`).
    """

    overrides: tuple[str, ...] = ()
    choices: Mapping[str, str | None] = field(default_factory=dict)
    sweep_dir: Path | None = None
    multirun: bool = False
    checked: bool = False

    @property
    def experiment(self) -> str | None:
        """The experiment config chosen (``experiment=relu_vs_tanh``), if any."""
        return self.choices.get("experiment")


def job_context() -> tuple[JobContext, Path]:
    """The running Hydra job as plain values, and its output folder (the one HydraConfig read)."""
    hc = HydraConfig.get()
    return context_of(hc), Path(hc.runtime.output_dir)


def context_of(hydra: Any) -> JobContext:
    """A job's context from its ``hydra`` config node (a launcher's job config, or the global).

    The stacked launcher reads each member's from the member's own config.
    """
    return JobContext(
        overrides=tuple(hydra.overrides.task),
        choices=dict(hydra.runtime.choices),
        sweep_dir=Path(hydra.sweep.dir),
        multirun=hydra.mode == RunMode.MULTIRUN,
    )
