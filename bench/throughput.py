"""Images per second of the input side and of training, for one model and data config.

    python bench/throughput.py [--batches N] [--warmup N] <Hydra overrides>
    python bench/throughput.py model=alexnet data=imagefolder data.root=DIR augmentation=paper

Prints three figures: (a) the data pipeline alone (loader, transfer to the device, the
on-device mean subtraction, crops, flips and lighting), (b) training steps on one synthetic
batch already on the device (the model's own speed), (c) training steps fed by the real
pipeline. (c)/(b) is what the input side costs: near 1 means the data are not the bottleneck.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate
from rich.console import Console
from rich.table import Table

from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.models import build_model


class _Training:
    training = True


def batches(datamodule: Any, device: torch.device) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless training batches as the model sees them (epochs restart the loader)."""
    datamodule.trainer = _Training()  # on_after_batch_transfer augments when training
    while True:
        for images, labels in datamodule.train_dataloader():
            batch = (images.to(device, non_blocking=True), labels.to(device, non_blocking=True))
            yield datamodule.on_after_batch_transfer(batch, 0)


def timed(step: Any, n: int, warmup: int, device: torch.device) -> tuple[float, int]:
    """Seconds for ``n`` calls of ``step`` (returning a batch size) after ``warmup`` calls."""
    for _ in range(warmup):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start, images = time.perf_counter(), 0
    for _ in range(n):
        images += step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, images


def main() -> None:
    """Parse arguments, build the configured data and model, print the three figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=20, help="timed batches per figure")
    parser.add_argument("--warmup", type=int, default=3, help="untimed batches first")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, as for alexnet-lab")
    args = parser.parse_args()

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=args.overrides)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cudnn.benchmark = True
    augmentation = {k: v for k, v in cfg.augmentation.items() if k != "name"}
    datamodule = instantiate(cfg.data, **augmentation)
    datamodule.prepare_data()
    datamodule.setup("fit")
    channels, size, _ = datamodule.input_shape
    model = build_model(cfg, channels, datamodule.num_classes, size).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
    stream = batches(datamodule, device)

    def load() -> int:
        return len(next(stream)[1])

    def train_on(images: torch.Tensor, labels: torch.Tensor) -> int:
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(images), labels).backward()
        optimizer.step()
        return len(labels)

    fixed_images, fixed_labels = next(stream)
    figures = {
        "(a) data pipeline alone": timed(load, args.batches, args.warmup, device),
        "(b) training, synthetic batch on the device": timed(
            lambda: train_on(fixed_images, fixed_labels), args.batches, args.warmup, device
        ),
        "(c) training on the real pipeline": timed(
            lambda: train_on(*next(stream)), args.batches, args.warmup, device
        ),
    }
    rates = {name: images / seconds for name, (seconds, images) in figures.items()}

    table = Table(title=f"throughput on {device} ({torch.get_num_threads()} threads)")
    for column in ("measure", "images/s", "seconds", "images"):
        table.add_column(column)
    for name, (seconds, images) in figures.items():
        table.add_row(name, f"{rates[name]:.1f}", f"{seconds:.2f}", str(images))
    console = Console()
    console.print(
        f"model={cfg.model.name} data={cfg.data.name} augmentation={cfg.augmentation.name} "
        f"input {channels}x{size}x{size}, batch {cfg.data.batch_size}, "
        f"workers {datamodule.num_workers}, in memory {getattr(datamodule, 'in_memory', True)}"
    )
    console.print(table)
    ratio = (
        rates["(c) training on the real pipeline"]
        / rates["(b) training, synthetic batch on the device"]
    )
    console.print(f"(c)/(b) = {ratio:.2f}: the share of the model's speed the input side leaves")
    peak = torch.cuda.max_memory_allocated(device) if device.type == "cuda" else None
    if peak is not None:
        console.print(f"peak GPU memory allocated: {peak / 2**30:.2f} GiB")
    if args.json:
        figures_out = {
            "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
            "model": cfg.model.name,
            "input": [channels, size, size],
            "batch_size": int(cfg.data.batch_size),
            "images_per_s": {name: round(rate, 1) for name, rate in rates.items()},
            "peak_memory_bytes": peak,
        }
        args.json.write_text(json.dumps(figures_out, indent=2))


if __name__ == "__main__":
    main()
