"""``hydra/launcher=parallel``: a sweep on every device, one fresh worker process per device.

Hydra hands the launcher the sweep's job list. Each job gets its number and its sweep config
here, exactly as under Hydra's basic launcher; the jobs then go into one queue, largest unit
first, which N worker processes drain (``alexnet_lab.parallel``). A worker is started fresh
(multiprocessing's spawn context) and pinned before torch starts: ``CUDA_VISIBLE_DEVICES`` to
its own GPU, or on a CPU its share of the cores (thread counts and affinity). A unit is one
job, or, where stacking applies (``stack``: on GPU workers by default), a slice of a stackable
group that the worker trains as the stacked launcher would. Every job writes the same folder
and record as under the basic launcher; Hydra's job callbacks fire here, in the launcher's
process. A job whose trainer spans several devices (DDP) needs every device: it is not queued,
but runs after the queue, one at a time, in this process, as the basic launcher runs it.
"""

# no `from __future__ import annotations`, as in the stacked launcher's module
import copy
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

from hydra.core.config_store import ConfigStore
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus, configure_log, filter_overrides, setup_globals
from omegaconf import DictConfig, open_dict, read_write

from alexnet_lab.choices import PARALLEL_STACK, launcher_problem
from alexnet_lab.errors import CommandEnd
from alexnet_lab.parallel.conf import ParallelLauncherConf
from alexnet_lab.sweep.launcher_base import KeptSetupLauncher

log = logging.getLogger(__name__)


#: values of ``hydra.launcher.stack``
STACK_WHEN = tuple(PARALLEL_STACK)
#: the workers' log files, in the sweep's folder
LOG_DIR = ".parallel"

ConfigStore.instance().store(
    group="hydra/launcher", name="parallel", node=ParallelLauncherConf, provider="alexnet_lab"
)


class ParallelLauncher(KeptSetupLauncher):
    """Runs a sweep's jobs in worker processes, one per device, fed from one queue."""

    def __init__(
        self,
        workers: Optional[int] = None,  # noqa: UP045
        cpu_workers: int = 2,
        stack: str = "cuda",
        max_members: Optional[int] = None,  # noqa: UP045
        cpu_members: int = 8,
    ) -> None:
        super().__init__()
        options = {"stack": stack, "workers": workers, "cpu_workers": cpu_workers}
        problem = launcher_problem("ParallelLauncher", options)
        if problem:  # the CLI's one-paragraph error (Hydra would wrap it)
            raise CommandEnd(2, "bad value", problem)
        self.workers, self.cpu_workers, self.stack = workers, int(cpu_workers), stack
        self.max_members, self.cpu_members = max_members, cpu_members

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        """Run every job of the sweep; return their JobReturns in job order."""
        from alexnet_lab.run import signals
        from alexnet_lab.sweep.ending import sweep_interrupted

        assert self.config is not None and self.hydra_context is not None
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        try:  # Ctrl-C while torch loads or the workers start: the same paragraph as later
            return self._launch(job_overrides, initial_job_idx, sweep_dir)
        except (KeyboardInterrupt, signals.Terminated):
            raise sweep_interrupted(sweep_dir) from None

    def _launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int, sweep_dir: Path
    ) -> Sequence[JobReturn]:
        """:meth:`launch`'s work: the units, the queue, then the DDP jobs one by one."""
        from alexnet_lab.parallel.devices import assign, default_workers, visible_gpus
        from alexnet_lab.parallel.units import is_ddp, make_units

        assert self.config is not None and self.hydra_context is not None
        setup_globals()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        jobs = [(initial_job_idx + i, list(o)) for i, o in enumerate(job_overrides)]
        loader = self.hydra_context.config_loader
        ddp = [job for job in jobs if is_ddp(loader.load_sweep_config(self.config, job[1]).trainer)]
        queued = [job for job in jobs if job not in ddp]
        gpus = visible_gpus()
        workers = self.workers or default_workers(gpus, self.cpu_workers)
        stack = self.stack == "always" or (self.stack == "cuda" and bool(gpus))
        units = make_units(queued, workers, stack)
        slots = assign(max(1, min(workers, len(units))), gpus, _cores())
        results: dict[int, JobReturn] = {}
        if units:
            where = ", ".join(slot.label for slot in slots)
            log.info(f"Launching {len(queued)} jobs in {len(units)} unit(s) on {where}")
            for unit in units:
                for idx, overrides in unit.jobs:
                    log.info(f"\t#{idx} : {' '.join(filter_overrides(overrides))}")
            results.update(self._queue(units, slots, len(queued), sweep_dir))
        for idx, overrides in ddp:  # every device for one job: after the queue, one by one
            log.info(f"\t#{idx} : {' '.join(filter_overrides(overrides))} (DDP: after the queue)")
            results.update(self._basic(idx, overrides))
        return [results[idx] for idx, _ in jobs]

    def _queue(
        self, units: list[Any], slots: list[Any], total: int, sweep_dir: Path
    ) -> dict[int, JobReturn]:
        """The queued jobs through the workers; a stop (signal, exit 2) ends the command."""
        from alexnet_lab.console import console
        from alexnet_lab.parallel.pool import Hooks, Pool
        from alexnet_lab.parallel.progress import Progress

        hooks = Hooks(self._on_start, self._on_end, self._dead_return)
        (sweep_dir / LOG_DIR).mkdir(exist_ok=True)
        labels = [slot.label for slot in slots]
        jobs = [set(overrides) for unit in units for _, overrides in unit.jobs]
        common = frozenset(set.intersection(*jobs)) if len(jobs) > 1 else frozenset()
        with Progress(console, total, labels, console.is_terminal, common) as progress:
            pool = Pool(slots, self._worker_setup, sweep_dir / LOG_DIR, hooks, progress)
            results = pool.run(units)
        if pool.stop is not None:
            raise self._stopped(pool.stop, sweep_dir)
        return results

    # -- per job, in this process ----------------------------------------------------------
    def _worker_setup(self, log_path: str) -> Any:
        from alexnet_lab.parallel.worker import WorkerSetup, task_reference

        assert self.hydra_context is not None and self.config is not None
        return WorkerSetup(
            config=self.config,
            config_loader=self.hydra_context.config_loader,
            singleton_state={"instances": Singleton.get_state()["instances"]},
            task=task_reference(self.task_function),
            max_members=self.max_members,
            cpu_members=self.cpu_members,
            log=log_path,
        )

    def _on_start(self, config: DictConfig) -> None:
        assert self.hydra_context is not None and self.task_function is not None
        self.hydra_context.callbacks.on_job_start(config=config, task_function=self.task_function)

    def _on_end(self, config: DictConfig, ret: JobReturn) -> None:
        """Hydra's on_job_end, then the job's outcome line (the worker's went to its log)."""
        from alexnet_lab.console import print_run_outcome
        from alexnet_lab.record.files import RunRecord
        from alexnet_lab.run.end import record_of

        assert self.hydra_context is not None
        self.hydra_context.callbacks.on_job_end(config=config, job_return=ret)
        record = record_of(ret._return_value)
        if ret.status == JobStatus.COMPLETED and isinstance(record, RunRecord):
            print_run_outcome(record, bool(config.get("verbose")))

    def _dead_return(self, config: DictConfig, record: Any) -> JobReturn:
        """The return of a job whose worker died: completed, its value the failed record's end.

        A FAILED return would make Hydra's sweeper raise and end the sweep.
        """
        from alexnet_lab.run.end import ended

        task_cfg = copy.deepcopy(config)
        with read_write(task_cfg), open_dict(task_cfg):
            del task_cfg["hydra"]
        return JobReturn(
            overrides=list(config.hydra.overrides.task),
            cfg=task_cfg,
            hydra_cfg=config,
            working_dir=os.getcwd(),
            task_name=str(config.hydra.job.name),
            status=JobStatus.COMPLETED,
            _return_value=ended(record),
        )

    def _basic(self, idx: int, overrides: list[str]) -> dict[int, JobReturn]:
        """One job through Hydra's own basic launcher, in this process, with its number."""
        from alexnet_lab.sweep.launcher_base import basic_launcher

        assert self.hydra_context is not None and self.task_function is not None
        assert self.config is not None
        basic = basic_launcher(self.hydra_context, self.task_function, self.config)
        return {idx: basic.launch([overrides], idx)[0]}

    def _stopped(self, stop: Any, sweep_dir: Path) -> CommandEnd:
        """After a stop: the command's ending (an interrupt's report and resume command)."""
        from alexnet_lab.sweep.ending import sweep_interrupted

        if not stop.interrupted:  # a job that could not start (exit 2), its paragraph said
            from alexnet_lab.folders.unused import discard_unstarted_sweep

            sys.stderr.write(stop.text)
            sys.stderr.flush()
            discard_unstarted_sweep(sweep_dir)  # as the basic launcher: nothing else ran
            return CommandEnd(stop.code)
        return sweep_interrupted(sweep_dir, stop.code)


def _cores() -> list[int]:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))
