"""Images per second of one sweep, run four ways: sequential, stacked, parallel, a bare loop.

    python bench/sweep.py [--epochs 3] [--train-size 2048] [--lrs 0.001,0.01] [--seeds 0,1]
    python bench/sweep.py --cifar10 /path/to/cifar10-tree       # real CIFAR-10 images
    python bench/sweep.py --main-job --ways a,b,d               # the README's main job
    python bench/sweep.py --workers 2                           # (d) with 2 workers

The slice defaults to the C1 grid (convnet4, relu/tanh x lrs x seeds, no norm, constant lr, no
weight decay) on synthetic data, or on CIFAR-10 when ``--cifar10`` names a local tree.
(a) the CLI as today: ``alexnet-lab -m ...`` with Hydra's basic launcher (one job after
another); (b) the same command with ``hydra/launcher=stacked``; (c) the floor: a hand-written
loop over the same stacked models and device-resident data (vmap'd steps, plain SGD, one
validation pass per epoch, no records); (d) the same command with ``hydra/launcher=parallel``
(one worker per GPU, or ``--workers`` / the launcher's CPU default on a CPU); (e) as (d) with
``hydra.launcher.stack=always``, so that CPU workers train stacks too. (a), (b), (d) and (e)
include process start-up and every record and report, as a user sees them. ``--main-job``
times the README's main job (C1 on 6,000 Fashion-MNIST images, 16 runs of up to 16 epochs) instead
of the slice; (c) is the slice's only. Under the table, each CLI way's wall time by part (start,
epochs, the runs' other time, the time between runs, end; ``bench/breakdown.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import torch
from hydra import compose, initialize_config_dir
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alexnet_lab.cli import CONFIG_DIR  # noqa: E402
from alexnet_lab.run.machine import cpu_model  # noqa: E402
from bench.breakdown import breakdown, line  # noqa: E402

#: each CLI way's wall time by part (bench/breakdown.py), by its sweep folder's name
PARTS: dict[str, dict[str, float]] = {}


def machine() -> str:
    """The GPU's name, or the CPU model and its core count."""
    if torch.cuda.is_available():
        return f"GPU {torch.cuda.get_device_name(0)}"
    return f"CPU {cpu_model()}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads"


#: the README's main job (its "Set up" command), without W&B, progress bars or callbacks
MAIN_JOB = [
    "experiment=relu_vs_tanh",
    "data=fashion_mnist",
    "data.train_size=6000",
    "data.val_size=1000",
    "trainer.max_epochs=16",
    "target_error=0.2",
    "stop_at_target=true",
    "optim.lr=0.003,0.01,0.03,0.1",
    "seed=0,1",
]
QUIET = ["logger=none", "callbacks=none", "trainer.enable_progress_bar=false"]


def overrides(args: argparse.Namespace) -> list[str]:
    """The slice's fixed overrides (its sweep lists come from :func:`grid`)."""
    data = ["data=synthetic"] if not args.cifar10 else ["data=cifar10", f"data.root={args.cifar10}"]
    return [
        *data,
        f"data.train_size={args.train_size}",
        f"data.val_size={args.val_size}",
        f"data.batch_size={args.batch_size}",
        "model=convnet4",
        "norm=none",
        "optim=constant",
        "optim.weight_decay=0",
        f"trainer.max_epochs={args.epochs}",
        "logger=none",
        "callbacks=none",
        "trainer.enable_progress_bar=false",
    ]


def grid(args: argparse.Namespace) -> list[str]:
    """The swept lists: activation x lr x seed."""
    return [f"activation={args.activations}", f"optim.lr={args.lrs}", f"seed={args.seeds}"]


def run_cli(args: argparse.Namespace, folder: Path, *extra: str) -> float:
    """Wall seconds of one ``alexnet-lab -m`` sweep (fails loudly when the sweep fails)."""
    job = [*MAIN_JOB, *QUIET] if args.main_job else [*overrides(args), *grid(args)]
    command = [sys.executable, "-m", "alexnet_lab", "-m", *job, *extra]
    env = {**os.environ, "WANDB_MODE": "offline", "PYTHONPATH": str(ROOT)}
    start, began = time.perf_counter(), time.time()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    sweep_dir = next(e.split("=", 1)[1] for e in extra if e.startswith("hydra.sweep.dir="))
    PARTS[sweep_dir] = breakdown(folder / sweep_dir, began, began + seconds)
    return seconds


def floor(args: argparse.Namespace) -> float:
    """Wall seconds of the hand-written stacked loop over the same jobs (in this process).

    Only the training and validation passes are timed: the data's loading, the models'
    building and a first warm-up step are not, so the floor is the least the work can take.
    """
    import pytorch_lightning as pl
    from hydra.utils import instantiate

    from alexnet_lab.engines.stacked.device_data import DeviceData
    from alexnet_lab.engines.stacked.model import StackedModel
    from alexnet_lab.models import build_model

    seconds = 0.0
    lrs = [float(v) for v in args.lrs.split(",")]
    seeds = [int(v) for v in args.seeds.split(",")]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        for act in args.activations.split(","):
            cfg = compose("config", [*overrides(args), f"activation={act}"])
            dm = instantiate(cfg.data)
            dm.prepare_data()
            dm.setup("fit")
            device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
            data = DeviceData.from_datamodule(dm, device)
            c, h, _ = dm.input_shape
            models, lr = [], []
            for value in lrs:
                for seed in seeds:
                    pl.seed_everything(seed, verbose=False)
                    models.append(build_model(cfg, c, dm.num_classes, h))
                    lr.append(value)
            stack = StackedModel(models, device)
            rates = torch.tensor(lr, device=device)
            momentum = {k: torch.zeros_like(v) for k, v in stack.params.items()}
            # untimed: one step (CUDA's context, cuDNN's algorithm search), so the floor is
            # the training alone
            index = next(iter(data.batch_indices(torch.stack([torch.arange(data.train_size)]))))
            stack.train_step(*data.train_batch(index.expand(len(models), -1), []))
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(args.epochs):
                order = torch.stack([torch.randperm(data.train_size) for _ in models])
                for index in data.batch_indices(order):
                    images, labels = data.train_batch(index, [])
                    grads, _, _ = stack.train_step(images, labels)
                    for k, w in stack.params.items():
                        shape = (-1,) + (1,) * (w.dim() - 1)
                        momentum[k].mul_(0.9).add_(grads[k])
                        w.sub_(rates.view(shape) * momentum[k])
                for images, _ in data.val_batches():
                    stack.log_probs(images)
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            seconds += time.perf_counter() - start
    return seconds


def ways(args: argparse.Namespace, folder: Path) -> dict[str, Callable[[], float]]:
    """The ways to time, by letter: each a function that returns its wall seconds."""
    workers = [f"hydra.launcher.workers={args.workers}"] if args.workers else []
    found = {
        "a": ("(a) sequential jobs (basic launcher, CLI)", ["hydra/launcher=basic"]),
        "b": ("(b) stacked launcher (CLI)", ["hydra/launcher=stacked"]),
        "d": ("(d) parallel launcher (CLI)", ["hydra/launcher=parallel", *workers]),
        "e": (
            "(e) parallel launcher, stacks on CPU workers too (CLI)",
            ["hydra/launcher=parallel", "hydra.launcher.stack=always", *workers],
        ),
    }
    timed: dict[str, Callable[[], float]] = {}
    for letter in args.ways.split(","):
        if letter == "c":
            if not args.main_job:
                timed["(c) hand-written stacked loop (floor)"] = lambda: floor(args)
            continue
        label, extra = found[letter]
        sweep = [*extra, f"hydra.sweep.dir={letter}"]
        timed[label] = lambda sweep=sweep: run_cli(args, folder, *sweep)
    return timed


def main(argv: list[str] | None = None) -> None:
    """Run the chosen ways one after another and print one table with the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-size", type=int, default=2048)
    parser.add_argument("--val-size", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--activations", default="relu,tanh")
    parser.add_argument("--lrs", default="0.001,0.01", help="comma-separated learning rates")
    parser.add_argument("--seeds", default="0,1", help="comma-separated seeds")
    parser.add_argument("--cifar10", default=None, help="a local CIFAR-10 tree (else synthetic)")
    parser.add_argument("--ways", default="a,b,c,d", help="which of a,b,c,d,e to time, in order")
    parser.add_argument("--workers", type=int, default=None, help="(d)'s workers (else default)")
    parser.add_argument("--main-job", action="store_true", help="the README's main job instead")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)

    if args.main_job:
        epochs = int(next(o for o in MAIN_JOB if o.startswith("trainer.max_epochs=")).split("=")[1])
        jobs, images = 16, 16 * epochs * 6000  # at most: stop_at_target ends runs earlier
        what = (
            f"the README's main job: C1 on Fashion-MNIST, 16 jobs, 6,000 images, up to {epochs} "
            f"epochs (images/s counts the full {epochs})"
        )
    else:
        jobs = 1
        for values in (args.activations, args.lrs, args.seeds):
            jobs *= len(values.split(","))
        images = jobs * args.epochs * args.train_size
        data = f"CIFAR-10 ({args.cifar10})" if args.cifar10 else "synthetic"
        what = (
            f"C1 grid, {jobs} jobs (activation {args.activations} x lr {args.lrs} x seed "
            f"{args.seeds}), convnet4, {data}, {args.train_size} train images, {args.epochs} epochs"
        )
    with tempfile.TemporaryDirectory() as tmp:
        seconds = {label: run() for label, run in ways(args, Path(tmp)).items()}
    console = Console(width=120)
    console.print(f"machine: {machine()}; date: {datetime.now().isoformat(timespec='seconds')}")
    console.print(f"slice: {what}")
    table = Table("way", "jobs", "images", "wall s", "images/s")
    for label, wall in seconds.items():
        table.add_row(label, str(jobs), str(images), f"{wall:.2f}", f"{images / wall:.1f}")
    console.print(table)
    speed = {label[1]: images / wall for label, wall in seconds.items()}
    ratios = [f"({x})/({y}) = {speed[x] / speed[y]:.2f}" for x, y in RATIOS if {x, y} <= set(speed)]
    console.print("   ".join(ratios))
    for label in seconds:  # where each CLI way's wall time went (bench/breakdown.py)
        letter = label[1]
        if letter in PARTS:
            console.print(f"({letter}) {line(PARTS[letter])}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "slice": what,
                    "jobs": jobs,
                    "images": images,
                    "seconds": {label: round(wall, 2) for label, wall in seconds.items()},
                    "images_per_s": {x: round(v, 1) for x, v in speed.items()},
                    "parts": PARTS,
                    "ratios": {
                        f"{x}/{y}": round(speed[x] / speed[y], 2)
                        for x, y in RATIOS
                        if {x, y} <= set(speed)
                    },
                },
                indent=2,
            )
        )


#: the ratios printed, where both ways ran
RATIOS = (("b", "a"), ("b", "c"), ("d", "a"), ("d", "b"), ("e", "a"), ("e", "b"))


if __name__ == "__main__":
    main()
