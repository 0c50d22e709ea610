"""The stacked launcher's work: a sweep's compatible jobs trained side by side as one stack.

Hydra hands the launcher the sweep's job list. Jobs whose overrides differ only in ``seed``,
``optim.lr``, ``optim.momentum`` or ``optim.weight_decay`` form a group
(``alexnet_lab.engines.stacked.grouping``); each group trains in this process on one device as one
``torch.func`` stack (``alexnet_lab.engines.stacked``), in stacks of at most ``max_members``. Every
member still gets its own job folder, exactly as Hydra's basic launcher lays it out
(``<sweep dir>/<job num>/.hydra/{config,hydra,overrides}.yaml`` and ``record.json``), and
the job callbacks fire per member. What cannot stack (files streamed from disk, DDP, running
statistics, a model vmap refuses, a group of one, a job the job path must answer for: failed
checks, completed runs under ``resume=true``) runs one job after another through the normal
job function, as the basic launcher would; the log names each such job and why.

Which launcher is the default: ``hydra/launcher=auto`` (``conf/hydra/launcher/auto.yaml``), this
launcher with ``stack: cuda``: on a machine with a GPU it stacks; without one it hands the
whole sweep to Hydra's basic launcher, so a CPU sweep runs exactly as before. On a 2-core AMD
EPYC CPU (2026-11-25) a stack of eight convnet4s trained at 0.46-1.23x the images/s of eight
sequential runs (bench/sweep.py), so stacking there is opt-in (``hydra/launcher=stacked``,
``stack: always``).
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import (
    JobReturn,
    JobRuntime,
    JobStatus,
    configure_log,
    filter_overrides,
    run_job,
    setup_globals,
)
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from alexnet_lab.errors import CommandEnd
from alexnet_lab.run.context import JobContext, context_of
from alexnet_lab.run.end import ended
from alexnet_lab.sweep.launcher_base import KeptSetup, basic_launcher

log = logging.getLogger(__name__)

#: values of ``hydra.launcher.stack``
STACK_WHEN = ("always", "cuda")


class StackedSweep(KeptSetup):
    """Trains each stackable group of a sweep as one stack; other jobs one after another.

    The work of ``hydra/launcher=stacked`` (its plugin class adds only Hydra's ``Launcher``
    base) and of a parallel launcher worker's stack unit (:meth:`run_group`).
    """

    def __init__(
        self, max_members: int | None = None, cpu_members: int = 8, stack: str = "always"
    ) -> None:
        super().__init__()
        if stack not in STACK_WHEN:  # the CLI's one-paragraph error (Hydra would wrap it)
            raise CommandEnd(
                2,
                "bad value",
                f"hydra.launcher.stack={stack!r} is not a choice. Valid values: always (stack "
                "on any device), cuda (stack on a GPU, run one job after another elsewhere).",
            )
        self.max_members, self.cpu_members, self.stack = max_members, cpu_members, stack

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        """Run every job of the sweep; return their JobReturns in job order.

        Ctrl-C or SIGTERM outside a job's own handling (while a stack's data loads, between
        jobs) ends in the interrupted sweep's paragraph and exit 130/143.
        """
        from alexnet_lab.run import signals
        from alexnet_lab.sweep.ending import sweep_interrupted

        assert self.config is not None
        try:
            return self._launch(job_overrides, initial_job_idx)
        except (KeyboardInterrupt, signals.Terminated):
            raise sweep_interrupted(Path(str(self.config.hydra.sweep.dir))) from None

    def _launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        from alexnet_lab.engines.stacked.grouping import group_jobs

        if self.stack == "cuda" and not _has_cuda():
            return self._basic(job_overrides, initial_job_idx)
        setup_globals()
        assert self.config is not None
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        jobs = [(initial_job_idx + i, list(o)) for i, o in enumerate(job_overrides)]
        groups = group_jobs([o for _, o in jobs])
        log.info(f"Launching {len(jobs)} jobs in {len(groups)} group(s), stacked where possible")
        results: dict[int, JobReturn] = {}
        for group in groups:
            results.update(self.run_group([jobs[i] for i in group]))
        return [results[idx] for idx, _ in jobs]

    # -- one group -------------------------------------------------------------------------
    def run_group(self, jobs: list[tuple[int, list[str]]]) -> dict[int, JobReturn]:
        """Train one group of stackable jobs (also a parallel launcher worker's stack unit)."""
        from alexnet_lab.engines.stacked import stack as stacking
        from alexnet_lab.engines.stacked.grouping import split

        if len(jobs) == 1:
            return self._sequential(jobs, "a group of one job gains nothing from stacking")
        configs = {idx: self._sweep_config(idx, overrides) for idx, overrides in jobs}
        contexts = {idx: context_of(configs[idx].hydra) for idx, _ in jobs}
        leader = jobs[0][0]
        with self._job(configs[leader]) as (cfg, _):
            contexts[leader], reason = stacking.checked(cfg, contexts[leader])
            reason = reason or stacking.config_blocker(cfg)
            datamodule = None if reason else stacking.datamodule_of(cfg)
            reason = reason or stacking.blocker(cfg, datamodule)
            if reason or datamodule is None:
                return self._sequential(jobs, reason or "no data")
            device = stacking.stack_device(cfg)
            if self.stack == "cuda" and device.type != "cuda":
                return self._sequential(jobs, "it trains on the CPU (hydra.launcher.stack=cuda)")
            size = stacking.max_members(
                self.max_members, device, stacking.member_bytes(cfg, datamodule), self.cpu_members
            )
        results: dict[int, JobReturn] = {}
        for chunk in split(range(len(jobs)), size):
            chunk_jobs = [jobs[i] for i in chunk]
            results.update(self._run_stack(chunk_jobs, configs, contexts, datamodule, device))
        return results

    def _run_stack(
        self,
        jobs: list[tuple[int, list[str]]],
        configs: dict[int, DictConfig],
        contexts: dict[int, JobContext],
        dm: Any,
        device: Any,
    ) -> dict[int, JobReturn]:
        from alexnet_lab.engines.stacked import stack as stacking

        assert self.hydra_context is not None and self.task_function is not None
        members, alone, returns = [], [], {}
        for idx, overrides in jobs:
            with self._job(configs[idx]) as (cfg, output_dir):
                action, resume_plan = stacking.plan(cfg, output_dir, contexts[idx])
                if action == "sequential":
                    alone.append((idx, overrides))
                    continue
                self._save_hydra_files(configs[idx], cfg, output_dir)
                self.hydra_context.callbacks.on_job_start(
                    config=configs[idx], task_function=self.task_function
                )
                members.append(
                    (idx, stacking.prepare(cfg, output_dir, dm, resume_plan, contexts[idx]))
                )
        results = self._sequential(alone, "the job path answers for it (checks, resume)")
        if not members:
            return results
        if len(members) == 1:
            log.info(f"\t#{members[0][0]} : a stack of one")
        for idx, _ in members:
            log.info(f"\t#{idx} : {' '.join(filter_overrides(configs[idx].hydra.overrides.task))}")
        log.info(f"stacked {len(members)} jobs on {device}")
        interrupted = stacking.train_group([m for _, m in members], dm, device)
        for idx, member in members:
            with self._job(configs[idx]) as (cfg, output_dir):
                ret = JobReturn(
                    overrides=list(configs[idx].hydra.overrides.task),
                    cfg=cfg,
                    hydra_cfg=copy.deepcopy(HydraConfig.instance().cfg),  # type: ignore[arg-type]
                    working_dir=os.getcwd(),
                    task_name=JobRuntime.instance().get("name"),
                    status=JobStatus.COMPLETED,
                    _return_value=ended(member.record),
                )
                self.hydra_context.callbacks.on_job_end(config=configs[idx], job_return=ret)
                returns[idx] = ret
        if interrupted:
            raise self._stop_interrupted()
        return {**results, **returns}

    def _basic(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        """The whole sweep through Hydra's own basic launcher (no GPU: nothing to stack)."""
        assert self.hydra_context is not None and self.task_function is not None
        assert self.config is not None
        basic = basic_launcher(self.hydra_context, self.task_function, self.config)
        return basic.launch(job_overrides, initial_job_idx)

    # -- Hydra's job mechanics -------------------------------------------------------------
    def _sweep_config(self, idx: int, overrides: list[str]) -> DictConfig:
        assert self.hydra_context is not None and self.config is not None
        sweep_config = self.hydra_context.config_loader.load_sweep_config(self.config, overrides)
        with open_dict(sweep_config):
            sweep_config.hydra.job.id = idx
            sweep_config.hydra.job.num = idx
        return sweep_config

    @contextmanager
    def _job(self, config: DictConfig) -> Iterator[tuple[DictConfig, Path]]:
        """Hydra's globals set to one job, as ``run_job`` sets them; restored afterwards."""
        original = HydraConfig.instance().cfg
        HydraConfig.instance().set_config(config)
        output_dir = os.path.join(
            str(OmegaConf.select(config, "hydra.sweep.dir")),
            str(OmegaConf.select(config, "hydra.sweep.subdir")),
        )
        with read_write(config.hydra.runtime), open_dict(config.hydra.runtime):
            config.hydra.runtime.output_dir = os.path.abspath(output_dir)
        HydraConfig.instance().set_config(config)
        task_cfg = copy.deepcopy(config)
        with read_write(task_cfg), open_dict(task_cfg):
            del task_cfg["hydra"]
        try:
            yield task_cfg, Path(config.hydra.runtime.output_dir)
        finally:
            HydraConfig.instance().cfg = original  # type: ignore[assignment]

    def _save_hydra_files(self, config: DictConfig, task_cfg: DictConfig, output_dir: Path) -> None:
        """``.hydra/config.yaml``, ``hydra.yaml``, ``overrides.yaml``, as ``run_job`` writes."""
        output_dir.mkdir(parents=True, exist_ok=True)
        if config.hydra.output_subdir is None:
            return
        folder = output_dir / str(config.hydra.output_subdir)
        folder.mkdir(parents=True, exist_ok=True)
        files = {
            "config.yaml": task_cfg,
            "hydra.yaml": HydraConfig.instance().cfg,
            "overrides.yaml": config.hydra.overrides.task,
        }
        for name, node in files.items():
            (folder / name).write_text(OmegaConf.to_yaml(node), encoding="utf-8")

    def _sequential(self, jobs: list[tuple[int, list[str]]], why: str) -> dict[int, JobReturn]:
        """Run jobs one after another through the job function (the basic launcher's way)."""
        assert self.hydra_context is not None and self.config is not None
        assert self.task_function is not None
        results: dict[int, JobReturn] = {}
        for idx, overrides in jobs:
            log.info(f"\t#{idx} : {' '.join(filter_overrides(overrides))} (sequential: {why})")
            results[idx] = run_job(
                hydra_context=self.hydra_context,
                task_function=self.task_function,
                config=self._sweep_config(idx, overrides),
                job_dir_key="hydra.sweep.dir",
                job_subdir_key="hydra.sweep.subdir",
            )
            configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        return results

    def _stop_interrupted(self) -> CommandEnd:
        """As an interrupted sequential job: the report of what finished, how to resume."""
        from alexnet_lab.run import roles, signals
        from alexnet_lab.sweep.ending import STACK_STOPPED, interrupted_end

        if roles.is_secondary_process():  # a parallel worker: its launcher reports, once
            return CommandEnd(signals.exit_code() or 130)
        assert self.config is not None
        folder = Path(str(self.config.hydra.sweep.dir))
        return interrupted_end(folder, True, STACK_STOPPED.format(folder=folder))


def _has_cuda() -> bool:
    """Whether this machine has a usable GPU (torch imported only when asked)."""
    import torch

    return bool(torch.cuda.is_available())
