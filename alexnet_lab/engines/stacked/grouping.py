"""Which jobs of a sweep can train side by side as one stack, and which must run alone.

Jobs stack when their overrides differ only in :data:`STACKABLE_KEYS`: values a member holds
as its own tensors or generator (initial weights and batch order from ``seed``; learning rate,
momentum and weight decay per member in the SGD step). Any other difference (``activation``,
``model``, ``data.*``, ...) changes the network or the data, and makes another group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hydra.utils import get_class

from alexnet_lab.run.tensor_format import PRECISIONS

#: overrides a stack can hold per member
STACKABLE_KEYS = frozenset({"seed", "optim.lr", "optim.momentum", "optim.weight_decay"})
#: trainer options the stacked loop implements (``max_epochs``) or that do not change a
#: record (logging, progress bars, checkpoint switches); any other one runs sequentially
HANDLED_TRAINER_KEYS = frozenset(
    {
        "_target_",
        "accelerator",
        "devices",
        "num_nodes",
        "strategy",
        "max_epochs",
        "precision",
        "channels_last",
        "num_sanity_val_steps",
        "log_every_n_steps",
        "enable_checkpointing",
        "enable_model_summary",
        "enable_progress_bar",
        "deterministic",
        "benchmark",
    }
)


def override_key(override: str) -> str:
    """The config key an override sets: ``+optim.lr=0.1`` and ``~optim.lr`` give ``optim.lr``."""
    return override.split("=", 1)[0].lstrip("+~")


def group_key(overrides: Sequence[str]) -> tuple[str, ...]:
    """What a job's network and data are: its overrides other than the stackable ones."""
    return tuple(
        sorted(
            o
            for o in overrides
            if override_key(o) not in STACKABLE_KEYS and not override_key(o).startswith("hydra.")
        )
    )


def group_jobs(job_overrides: Sequence[Sequence[str]]) -> list[list[int]]:
    """Job indices grouped by :func:`group_key`, groups and members in first-seen job order."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, overrides in enumerate(job_overrides):
        groups.setdefault(group_key(overrides), []).append(index)
    return list(groups.values())


def split(group: Sequence[int], max_members: int) -> list[list[int]]:
    """Cut a group into stacks of at most ``max_members`` jobs."""
    size = max(1, int(max_members))
    return [list(group[i : i + size]) for i in range(0, len(group), size)]


def config_blocker(cfg: Mapping[str, Any]) -> str | None:
    """Why a composed job config cannot be stacked (data, trainer), or None when it can."""
    from alexnet_lab.data.in_memory import InMemoryDataModule

    data_class = get_class(str(cfg["data"]["_target_"]))
    if not issubclass(data_class, InMemoryDataModule):
        return (
            f"data={cfg['data']['name']} is read from files batch by batch, not held in memory "
            "(only in-memory data sets live on the device)"
        )
    trainer = cfg["trainer"]
    strategy = str(trainer.get("strategy", "auto"))
    devices, nodes = trainer.get("devices", 1), trainer.get("num_nodes", 1)
    if "ddp" in strategy or str(devices) not in ("1", "auto") or int(nodes) != 1:
        return f"trainer uses {strategy} on {devices} device(s) x {nodes} node(s) (DDP)"
    if str(trainer.get("precision", "32-true")) not in PRECISIONS:
        return (
            f"trainer.precision={trainer['precision']} (the stacked loop trains in "
            f"{' or '.join(PRECISIONS[1:])})"
        )
    if trainer.get("deterministic"):
        return (
            f"trainer.deterministic={trainer['deterministic']} (the stacked loop's batched "
            "kernels are not made deterministic)"
        )
    unknown = sorted(set(trainer) - HANDLED_TRAINER_KEYS)
    if unknown:
        return f"trainer.{unknown[0]} is not implemented by the stacked loop"
    return None
