"""Images per second of one sweep, run three ways: sequential jobs, stacked, a bare loop.

    python bench/sweep.py [--epochs 3] [--train-size 2048] [--lrs 0.001,0.01] [--seeds 0,1]
    python bench/sweep.py --cifar10 /path/to/cifar10-tree       # real CIFAR-10 images

The slice defaults to the C1 grid (convnet4, relu/tanh x lrs x seeds, no norm, constant lr, no
weight decay) on synthetic data, or on CIFAR-10 when ``--cifar10`` names a local tree.
(a) the CLI as today: ``alexnet-lab -m ...`` with Hydra's basic launcher (one job after
another); (b) the same command with ``hydra/launcher=stacked``; (c) the floor: a hand-written
loop over the same stacked models and device-resident data (vmap'd steps, plain SGD, one
validation pass per epoch, no records). (a) and (b) include process start-up and every
record and report, as a user sees them.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import torch
from hydra import compose, initialize_config_dir
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alexnet_lab.cli import CONFIG_DIR  # noqa: E402


def machine() -> str:
    """The GPU's name, or the CPU model and its core count."""
    if torch.cuda.is_available():
        return f"GPU {torch.cuda.get_device_name(0)}"
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"CPU {model}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads"


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
    command = [sys.executable, "-m", "alexnet_lab", "-m", *overrides(args), *grid(args), *extra]
    env = {**os.environ, "WANDB_MODE": "offline", "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def floor(args: argparse.Namespace) -> float:
    """Wall seconds of the hand-written stacked loop over the same jobs (in this process)."""
    import pytorch_lightning as pl
    from hydra.utils import instantiate

    from alexnet_lab.data.device import DeviceData
    from alexnet_lab.models import build_model
    from alexnet_lab.stacked.model import StackedModel

    start = time.perf_counter()
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
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    """Run the three ways and print one table with the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-size", type=int, default=2048)
    parser.add_argument("--val-size", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--activations", default="relu,tanh")
    parser.add_argument("--lrs", default="0.001,0.01", help="comma-separated learning rates")
    parser.add_argument("--seeds", default="0,1", help="comma-separated seeds")
    parser.add_argument("--cifar10", default=None, help="a local CIFAR-10 tree (else synthetic)")
    args = parser.parse_args(argv)

    jobs = 1
    for values in (args.activations, args.lrs, args.seeds):
        jobs *= len(values.split(","))
    images = jobs * args.epochs * args.train_size
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seconds = {
            "(a) sequential jobs (basic launcher, CLI)": run_cli(
                args, folder, "hydra/launcher=basic", "hydra.sweep.dir=a"
            ),
            "(b) stacked launcher (CLI)": run_cli(
                args, folder, "hydra/launcher=stacked", "hydra.sweep.dir=b"
            ),
            "(c) hand-written stacked loop (floor)": floor(args),
        }
    console = Console(width=120)
    data = f"CIFAR-10 ({args.cifar10})" if args.cifar10 else "synthetic"
    console.print(f"machine: {machine()}; date: {datetime.now().isoformat(timespec='seconds')}")
    console.print(
        f"slice: C1 grid, {jobs} jobs (activation {args.activations} x lr {args.lrs} x seed "
        f"{args.seeds}), convnet4, {data}, {args.train_size} train images, {args.epochs} epochs"
    )
    table = Table("way", "jobs", "images", "wall s", "images/s")
    for label, wall in seconds.items():
        table.add_row(label, str(jobs), str(images), f"{wall:.2f}", f"{images / wall:.1f}")
    console.print(table)
    a, b, c = (images / s for s in seconds.values())
    console.print(f"(b)/(a) = {b / a:.2f}   (b)/(c) = {b / c:.2f}")


if __name__ == "__main__":
    main()
