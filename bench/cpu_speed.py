"""Images per second of a training step, four ways, and of a whole run beside it.

    python bench/cpu_speed.py [--nets convnet4,convnet_local,alexnet_cifar] [--seconds 6]
    python bench/cpu_speed.py --stacked 4            # also a vmapped stack of 4 members
    python bench/cpu_speed.py --run CIFAR10_DIR --nets convnet4 [--train-size 10000]
    python bench/cpu_speed.py --json out.json        # the figures as JSON too

Step mode (always): one training step (forward, cross-entropy, backward, SGD with momentum)
of each net on random input of the claims' shape (3x32x32, batch 128) on this process's
threads, timed for ``--seconds`` after two untimed steps, four ways: fp32, fp32 channels-last,
bf16 autocast (fp32 weights) and bf16 autocast + channels-last; each with its ratio to fp32.
fp32 and fp32 channels-last are the same arithmetic (exact); the faster of the two is the
net's *fastest exact step*. ``--stacked M`` adds M members trained as the stacked engine
trains them (``torch.func.vmap``), contiguous and channels-last.

Run mode (``--run DIR``): a whole run of each net on the CIFAR-10 tree at DIR, in this process
(``alexnet_lab.engines.lightning.train.train``, as an ``alexnet-lab`` job runs it: the tree's
data, the steps, validation, the CSV logger, the record and checkpoints; ``--train-size`` training
images and a fifth as many validation images, as the whole data set's 50,000 and 10,000;
``--epochs`` epochs, no augmentation), its epochs timed on the same clock (validation
included) and compared with the fastest exact step measured in the same call.

Every figure is timed on the process's CPU time by default (``--clock cpu``): on a shared
machine the time other work holds the core does not count, and what is left is the code's
own speed. ``--clock wall`` times the wall clock, right on a quiet machine only.

Print a markdown table; run it under ``taskset -c 0`` with ``--threads 1`` to measure one core.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, ClassVar

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from hydra import compose, initialize_config_dir

from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.models import build_model
from alexnet_lab.run.machine import cpu_model

#: the nets the claims train, each as its claim configures it: a row's name, its overrides
NETS = {
    "convnet4": ["model=convnet4", "norm=none"],  # C1 (Figure 1): no response normalization
    "convnet4_lrn": ["model=convnet4", "norm=lrn"],
    "convnet_local": ["model=convnet_local", "norm=lrn"],  # the LRN claim's net, at 32 px
    "convnet_local_none": ["model=convnet_local", "norm=none"],  # its other arm
    "alexnet_cifar": ["model=alexnet_cifar"],  # the pooling and dropout claims' net
    # the CPU protocols' nets (experiment=cpu/<name>)
    "convnet4_fc": ["model=convnet4_fc", "norm=none"],  # C4: hidden fc6/fc7 with dropout
    "convnet4_towers": ["model=convnet4_towers", "norm=none", "towers=two"],  # C6
    "convnet4_one_tower": ["model=convnet4_towers", "norm=none", "towers=one"],
}
#: (column, channels-last, bf16 autocast)
WAYS = (
    ("fp32", False, False),
    ("fp32 channels-last", True, False),
    ("bf16 autocast", False, True),
    ("bf16 + channels-last", True, True),
)
EXACT = ("fp32", "fp32 channels-last")


def net_model(net: str) -> torch.nn.Module:
    """The net of row ``net`` as the toolkit builds it, for 3x32x32 CIFAR-10 input."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=["logger=none", *NETS[net]])
    return build_model(cfg, 3, 10, 32)


def autocast(bf16: bool) -> AbstractContextManager[Any]:
    """bf16 autocast on the CPU, or nothing."""
    return torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else nullcontext()


#: the clock every figure is timed on: this process's CPU time (``--clock cpu``, the default:
#: on a shared machine, the time others' work takes the core away does not count) or wall time
CLOCK: Callable[[], float] = time.process_time


def timed(step: Callable[[], None], seconds: float, batch: int) -> float:
    """Images/s of ``step`` over at least ``seconds`` on :data:`CLOCK` (and 2 steps)."""
    start, steps = CLOCK(), 0
    while steps < 2 or CLOCK() - start < seconds:
        step()
        steps += 1
    return steps * batch / (CLOCK() - start)


def best_of(
    steps: dict[str, Callable[[], None]], seconds: float, batch: int, rounds: int
) -> dict[str, float]:
    """Each step's best images/s over ``rounds`` interleaved rounds, after 2 untimed steps.

    On a shared machine other work only slows a step down, so the best round is the step's
    own speed; interleaving gives every way the same share of the machine's quiet moments.
    """
    for step in steps.values():
        step()
        step()
    best = dict.fromkeys(steps, 0.0)
    for _ in range(rounds):
        for name, step in steps.items():
            best[name] = max(best[name], timed(step, seconds / rounds, batch))
    return best


def training_step(net: str, channels_last: bool, bf16: bool, batch: int) -> Callable[[], None]:
    """One net's training step (forward, loss, backward, SGD with momentum), one way."""
    torch.manual_seed(0)
    model = net_model(net).train()
    images = torch.randn(batch, 3, 32, 32)
    labels = torch.randint(0, 10, (batch,))
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        with autocast(bf16):
            loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()

    return step


def stacked_step(net: str, members: int, channels_last: bool, batch: int) -> Callable[[], None]:
    """The stacked engine's vmapped step of ``members`` copies of one net (and their SGD)."""
    from alexnet_lab.engines.stacked.loop import sgd_step
    from alexnet_lab.engines.stacked.model import StackedModel

    torch.manual_seed(0)
    model = net_model(net).train()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    stack = StackedModel([model] * members, "cpu")
    images = torch.randn(members, batch, 3, 32, 32)
    if channels_last:  # each member's (B, C, H, W) slice channels-last
        images = images.permute(0, 1, 3, 4, 2).contiguous().permute(0, 1, 4, 2, 3)
    labels = torch.randint(0, 10, (members, batch))
    momentum = {k: torch.zeros_like(v) for k, v in stack.params.items()}
    lr = torch.full((members,), 1e-4)
    hyper: dict[str, Any] = {"momentum": torch.full((members,), 0.9), "decay": {}}

    def step() -> None:
        grads, _, _ = stack.train_step(images, labels)
        sgd_step(stack.params, grads, momentum, lr, hyper)

    return step


class EpochClock(pl.Callback):
    """Each training epoch's seconds (its validation included) on :data:`CLOCK`."""

    seconds: ClassVar[list[float]] = []

    def on_train_epoch_start(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
        """Start the epoch's clock."""
        self._start = CLOCK()

    def on_train_epoch_end(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
        """Stop it (Lightning has validated the epoch by now)."""
        EpochClock.seconds.append(CLOCK() - self._start)


def run_speed(overrides: list[str], root: Path, train_size: int, epochs: int) -> dict[str, Any]:
    """Train one whole run (``engines.lightning.train.train``, as a job does); its images/s.

    In this process, so that its epochs are timed on the same clock as the steps: data
    loading, the steps, validation, logging (CSV), records and checkpoints, as a user runs it.
    """
    from alexnet_lab.engines.lightning.train import train

    clock = f"+callbacks.epoch_clock._target_={__name__}.EpochClock"
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose(
            "config",
            overrides=[
                *overrides,
                "data=cifar10",
                f"data.root={root}",
                f"data.train_size={train_size}",
                f"data.val_size={max(1, train_size // 5)}",  # the whole set's 50,000 : 10,000
                f"trainer.max_epochs={epochs}",
                "trainer.enable_progress_bar=false",
                "logger=csv",
                clock,
            ],
        )
    EpochClock.seconds.clear()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        record = train(cfg, Path(tmp) / "run")
        wall = time.perf_counter() - start
    seconds = list(EpochClock.seconds)
    return {
        "train_size": train_size,
        "epochs": len(seconds),
        "epoch_seconds": [round(x, 2) for x in seconds],
        "record_seconds": [row["seconds"] for row in record.history],
        "wall_s": round(wall, 1),
        "images_per_s": round(train_size * len(seconds) / sum(seconds), 1),
        "layout": record.machine.get("memory_format"),
        "precision": record.machine.get("precision"),
    }


def markdown(results: dict[str, Any]) -> str:
    """The figures as markdown tables."""
    head = results["header"]
    lines = [
        f"Measured {head['date']} on {head['cpu']} (load average {head['load']} at the start) "
        f"with `{head['command']}`: torch {head['torch']}, {head['threads']} thread(s), "
        f"batch {head['batch']}, {head['seconds']} s per cell (the best of its rounds), timed on "
        f"{'the process CPU time' if head.get('clock', 'cpu') == 'cpu' else 'the wall clock'}.",
        "",
    ]
    cols = [w[0] for w in WAYS]
    lines += ["| net | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for net, row in results["steps"].items():
        base = row["fp32"]
        cells = [
            f"{row[c]:,.0f}" + ("" if c == "fp32" else f" ({row[c] / base:.2f}x)") for c in cols
        ]
        lines.append(f"| {net} | " + " | ".join(cells) + " |")
    if results.get("stacked"):
        lines += [
            "",
            "| net, stacked | members | contiguous | channels-last |",
            "|---|---|---|---|",
        ]
        for net, row in results["stacked"].items():
            ratio = row["channels_last"] / row["contiguous"]
            lines.append(
                f"| {net} | {row['members']} | {row['contiguous']:,.0f} | "
                f"{row['channels_last']:,.0f} ({ratio:.2f}x) |"
            )
    if results.get("runs"):
        lines += [
            "",
            "| net, whole run | images | epochs | layout, precision | run img/s | "
            "fastest exact step | run / step |",
            "|---|---|---|---|---|---|---|",
        ]
        for run in results["runs"]:
            best = max(results["steps"][run["net"]][c] for c in EXACT)
            lines.append(
                f"| {run['net']} | {run['train_size']:,} | {run['epochs']} | "
                f"{run['layout']}, {run['precision']} | {run['images_per_s']:,.0f} | "
                f"{best:,.0f} | {run['images_per_s'] / best:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, measure, print the tables (and write the JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nets", default=",".join(NETS), help=f"some of {', '.join(NETS)}")
    parser.add_argument("--seconds", type=float, default=6.0, help="timed seconds per cell")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (best kept)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: one core)")
    parser.add_argument("--stacked", type=int, default=0, help="members of a stacked step")
    parser.add_argument("--run", type=Path, default=None, help="CIFAR-10 tree: a whole run too")
    parser.add_argument("--train-size", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu", help="what is timed")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    torch.set_num_threads(args.threads)
    nets = [n for n in args.nets.split(",") if n]
    unknown = sorted(set(nets) - set(NETS))
    if unknown:
        parser.error(f"unknown nets {unknown}; valid: {', '.join(NETS)}")
    results: dict[str, Any] = {
        "header": {
            "date": datetime.date.today().isoformat(),
            "command": "python bench/cpu_speed.py " + " ".join(sys.argv[1:]),
            "torch": torch.__version__,
            "cpu": f"{cpu_model()}, {os.cpu_count()} cores",
            "load": f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?",
            "threads": args.threads,
            "clock": args.clock,
            "batch": args.batch,
            "seconds": args.seconds,
        },
        "nets": {net: NETS[net] for net in nets},
        "steps": {},
        "stacked": {},
        "runs": [],
    }
    for net in nets:
        steps = {name: training_step(net, cl, bf16, args.batch) for name, cl, bf16 in WAYS}
        results["steps"][net] = best_of(steps, args.seconds, args.batch, args.rounds)
        print(f"{net}: {results['steps'][net]}", file=sys.stderr)
        if args.stacked:
            stacked = {
                key: stacked_step(net, args.stacked, cl, args.batch)
                for key, cl in (("contiguous", False), ("channels_last", True))
            }
            speeds = best_of(stacked, args.seconds, args.batch * args.stacked, args.rounds)
            results["stacked"][net] = {"members": args.stacked, **speeds}
        if args.run is not None:
            run = run_speed(NETS[net], args.run, args.train_size, args.epochs)
            results["runs"].append({"net": net, **run})
    print(markdown(results))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
