"""One stack of jobs: decide whether it can stack, build its members, train, close each record.

Hydra's side (job folders, ``.hydra/`` files, callbacks, job returns) is the launcher's
(``hydra_plugins/alexnet_lab_stacked_launcher``); this module needs only each member's
composed config, job folder and :class:`~alexnet_lab.run.context.JobContext` (no Hydra global).
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

import torch
from hydra.utils import instantiate
from omegaconf import DictConfig

from alexnet_lab.engines.stacked import records
from alexnet_lab.engines.stacked.device_data import DeviceData
from alexnet_lab.engines.stacked.grouping import config_blocker
from alexnet_lab.engines.stacked.loop import Member, build_member, load_checkpoint, train_stack
from alexnet_lab.engines.stacked.member_loggers import MemberLoggers
from alexnet_lab.engines.stacked.model import stack_blocker, vmap_blocker
from alexnet_lab.errors import UserError
from alexnet_lab.models import build_model
from alexnet_lab.run import signals
from alexnet_lab.run.context import JobContext
from alexnet_lab.run.measures import measures_train_eval
from alexnet_lab.run.preflight import check_job
from alexnet_lab.run.resume import ResumePlan
from alexnet_lab.run.roles import GPU_SHARING_ENV
from alexnet_lab.run.session import RunSession
from alexnet_lab.run.views import views_of

log = logging.getLogger(__name__)
#: the environment variable that turns on torch's warnings for host-device synchronisations
SYNC_DEBUG_ENV = "ALEXNET_LAB_SYNC_DEBUG"


def stack_device(cfg: DictConfig) -> torch.device:
    """The device a group trains on: the trainer's accelerator (auto: CUDA when present)."""
    accelerator = str(cfg.trainer.get("accelerator", "auto"))
    if accelerator in ("gpu", "cuda") or (accelerator == "auto" and torch.cuda.is_available()):
        return torch.device("cuda")
    return torch.device("cpu")


def datamodule_of(cfg: DictConfig) -> Any:
    """The job's datamodule, instantiated and set up as ``job.train`` does."""
    augmentation = {k: v for k, v in cfg.augmentation.items() if k != "name"}
    datamodule = instantiate(cfg.data, **augmentation, train_eval=measures_train_eval(cfg))
    datamodule.prepare_data()
    datamodule.setup("fit")
    return datamodule


def checked(cfg: DictConfig, context: JobContext) -> tuple[JobContext, str | None]:
    """The job's pre-run checks, made once: its context marked ``checked``, or why it runs alone.

    A job that fails them takes the job path, which answers for it (a bad value recorded
    ``failed`` with its paragraph); so does a group led by such a job (its members share all
    but their seed and optimiser values).
    """
    try:
        return check_job(cfg, context), None
    except UserError:
        return context, "a job fails its pre-run checks (values, switches, test views, W&B)"


def blocker(cfg: DictConfig, datamodule: Any | None) -> str | None:
    """Why this group's jobs cannot stack (data, trainer, model, vmap), or None."""
    reason = config_blocker(cfg)
    if reason or datamodule is None:
        return reason
    channels, height, width = datamodule.input_shape
    model = build_model(cfg, channels, datamodule.num_classes, height)
    reason = stack_blocker(model)
    if reason:
        return reason
    example = torch.zeros(2, channels, height, width)
    return vmap_blocker(model, example, datamodule.num_classes)


def max_members(
    requested: int | None, device: torch.device, per_member_bytes: int, cpu_members: int
) -> int:
    """Members per stack: as requested, else from free CUDA memory, else ``cpu_members``.

    A parallel worker that shares its GPU with others takes its share of the free memory.
    """
    if requested:
        return int(requested)
    if device.type != "cuda":
        return int(cpu_members)
    torch.cuda.empty_cache()  # memory an earlier group cached is free for this one
    free, _ = torch.cuda.mem_get_info(device)
    sharing = max(1, int(os.environ.get(GPU_SHARING_ENV, "1") or 1))
    return max(1, min(256, int(0.8 * free / sharing) // max(per_member_bytes, 1)))


def member_bytes(cfg: DictConfig, datamodule: Any) -> int:
    """A member's memory need in bytes, for the auto ``max_members`` on CUDA.

    Measured, not guessed: one forward pass of two images on the CPU, counting the tensors
    autograd keeps for the backward pass (the activations), scaled to a batch, with half as
    much again for the backward's temporaries; plus the weights six times over (weights,
    gradients, momentum, the step's temporaries).
    """
    channels, height, width = datamodule.input_shape
    model = build_model(cfg, channels, datamodule.num_classes, height).train()
    weights = {p.data_ptr() for p in model.parameters()}
    saved: dict[int, int] = {}

    def keep(tensor: torch.Tensor) -> torch.Tensor:
        if tensor.data_ptr() not in weights:
            saved[tensor.data_ptr()] = tensor.numel() * tensor.element_size()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(keep, lambda tensor: tensor):
        model(torch.zeros(2, channels, height, width))
    per_image = sum(saved.values()) / 2
    activations = int(1.5 * per_image * int(datamodule.batch_size))
    return sum(p.numel() * p.element_size() for p in model.parameters()) * 6 + activations


def plan(cfg: DictConfig, output_dir: Path, context: JobContext) -> tuple[str, ResumePlan]:
    """What the stack does with a job (its checks made here unless ``context`` says they were).

    ``fresh``; ``resume`` (from its stacked checkpoint: the plan names it and the previous
    record); or ``sequential``: checks that fail, completed jobs to skip, Lightning checkpoints
    to resume; the job path owns those answers and their messages. The plan is the session's
    (:meth:`~alexnet_lab.run.session.RunSession.plan`), its warnings left to the job path.
    """
    context, reason = checked(cfg, context)
    if reason is not None:
        return "sequential", ResumePlan()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            resume_plan = RunSession.plan(cfg, output_dir, context, engine="stacked")
        except UserError:
            return "sequential", ResumePlan()
    if resume_plan.action == "resume" and resume_plan.stacked:
        return "resume", resume_plan
    if resume_plan.action != "fresh":
        return "sequential", ResumePlan()
    return "fresh", ResumePlan()  # as before: a stacked member's record keeps no resume notes


def prepare(
    cfg: DictConfig,
    output_dir: Path,
    datamodule: Any,
    resume_plan: ResumePlan,
    context: JobContext,
) -> Member:
    """Open a member's session (its record), build the member; a resumed one continues."""
    session = records.open_session(cfg, output_dir, context, resume_plan, datamodule)
    member = build_member(cfg, session, datamodule)
    if resume_plan.action == "resume" and resume_plan.checkpoint is not None:
        load_checkpoint(member, resume_plan.checkpoint)
        session.keep_history(member.epoch)
    return member


def train_group(members: list[Member], datamodule: Any, device: torch.device) -> bool:
    """Train the stack and close every member's record; True when a signal interrupted it.

    Every member's loggers open before the first step and log each epoch as it ends; a member
    that ends (completed, diverged, or stopped by a crash or a signal) closes its own.
    """
    if device.type == "cuda":  # as Lightning's Trainer(benchmark=...) sets it for a run
        torch.backends.cudnn.benchmark = bool(members[0].cfg.trainer.get("benchmark"))
        # a developer's probe: ALEXNET_LAB_SYNC_DEBUG=warn names every operation that makes
        # the host wait for the GPU (torch.cuda.set_sync_debug_mode); bench/gpu_check.py uses it
        torch.cuda.set_sync_debug_mode(os.environ.get(SYNC_DEBUG_ENV, "default"))
    data = DeviceData.from_datamodule(datamodule, device)
    described = {**datamodule.describe(), "resident": str(device)}  # DeviceData's device
    for m in members:
        m.session.joined_stack(len(members))
    ended: set[int] = set()
    steps = data.steps_per_epoch()
    loggers: dict[int, MemberLoggers] = {}  # each member's, open until it ends

    def on_epoch(member: Member, row: dict[str, Any]) -> None:
        records.add_epoch(member.session, row, loggers.get(id(member)))

    def on_end(member: Member) -> None:
        ended.add(id(member))
        opened = loggers.pop(id(member), None)
        records.finish(member.session, member.tests, opened, member.completed)

    test_views = views_of(members[0].cfg)  # checked: each member's context says so
    interrupted = False
    try:
        for m in members:  # every member's loggers (its W&B run) open before training
            loggers[id(m)] = records.start(m.session, described, steps)
        train_stack(members, data, test_views, on_epoch, on_end)
    except (KeyboardInterrupt, signals.Terminated, SystemExit) as exc:
        interrupted = True
        for m in members:
            if id(m) not in ended:
                m.session.fail(exc)
    except Exception as exc:  # a crash: every unfinished member records it, the sweep goes on
        for m in members:
            if id(m) not in ended:
                m.session.fail(exc)
    for m in members:
        if id(m) not in ended:
            on_end(m)
    return interrupted
