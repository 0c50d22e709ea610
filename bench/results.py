"""The runs behind ``docs/results.md``: every claim's CPU protocol on the whole CIFAR-10.

    CIFAR10=/path/to/cifar10-tree nox -s results
    CIFAR10=/path/to/cifar10-tree python bench/results.py

Each claim's CPU protocol (``experiment=cpu/<name>``, docs/protocols.md) runs into its own
folder below ``runs/`` (jobs named by their arm and seed) with the parallel launcher; C7 is
then read off C5's crop-trained runs (``alexnet-lab-report runs/c5_cpu --claim C7``). The
records, each sweep's ``multirun.yaml`` and report, and the C7 view are copied into
``records/`` (what the repository ships: no checkpoints, no W&B files); the README's main job
runs into ``runs/main_job`` and ships into ``examples/main_job``; then
``alexnet-lab-report --all records --out docs --readme README.md --example examples/main_job``
writes the page, the README's table and its main-job example from them. Every training command
carries ``resume=true``, so re-running this script finishes what an earlier one left
(interrupted runs continue from their checkpoints) and skips what it finished. The cheaper
protocols run first. ``CIFAR10`` names the unpacked CIFAR-10 tree (or torchvision's files).
About 17 hours on a 2-core CPU (estimated, from docs/protocols.md's costs), C1's 7 among them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MISSING = (
    "CIFAR10 is not set: point it at the unpacked CIFAR-10 tree (root/train/<class>/*.png and "
    "root/test/...) or torchvision's cifar-10-batches-py folder, e.g. "
    "CIFAR10=$HOME/data/cifar10 nox -s results"
)
#: (experiment=cpu/<name>, the sweep's folder, its jobs' names), cheapest first
PROTOCOLS = (
    ("augmentation", "c5_cpu", "${augmentation.name}-seed${seed}"),
    ("dropout", "c4_cpu", "dropout_${dropout.name}-seed${seed}"),
    ("dropout_paper_init", "c4_paper_init_cpu", "dropout_${dropout.name}-seed${seed}"),
    ("dropout_constant_lr", "c4_constant_lr_cpu", "dropout_${dropout.name}-seed${seed}"),
    ("towers", "c6_cpu", "${towers.name}-seed${seed}"),
    ("lrn", "c2_cpu", "${norm.name}-seed${seed}"),
    ("pooling", "c3_cpu", "${pooling.name}-seed${seed}"),
    ("relu_vs_tanh", "c1_cpu", "${activation.name}-lr${optim.lr}-seed${seed}"),
)
#: C7 is read off this protocol's folder
C7_SOURCE = "c5_cpu"
#: what a sweep folder ships in records/: the records, the command that ran, the C7 view and
#: the report (records/.gitignore lets git see only these)
SHIPPED = ("record.json", "multirun.yaml", "derived.json", "report.md")
#: the README's main job (Fashion-MNIST), run into runs/main_job and shipped into examples/:
#: the README's example block is generated from it
EXAMPLE = "main_job"
PAGE_COMMAND = [
    "alexnet-lab-report", "--all", "records", "--out", "docs", "--readme", "README.md",
    "--example", f"examples/{EXAMPLE}",
]  # fmt: skip


def commands(cifar10: str, runs: str = "runs") -> list[list[str]]:
    """The training commands, in order (one per protocol), then the C7 view of C5's runs."""
    out = []
    for name, folder, subdir in PROTOCOLS:
        out.append([
            "alexnet-lab", f"experiment=cpu/{name}", f"data.root={cifar10}",
            "hydra/launcher=parallel", "logger=none", "trainer.enable_progress_bar=false",
            "resume=true", f"hydra.sweep.dir={runs}/{folder}", f"hydra.sweep.subdir={subdir}",
        ])  # fmt: skip
    out.append(["alexnet-lab-report", f"{runs}/{C7_SOURCE}", "--claim", "C7", "--quiet"])
    out.append(main_job_command(runs))
    return out


def main_job_command(runs: str = "runs") -> list[str]:
    """The README's main job (both launchers' runs alike), into ``runs/main_job``, resumable."""
    from bench.sweep import MAIN_JOB

    return [
        "alexnet-lab", *MAIN_JOB, "hydra/launcher=parallel", "logger=none",
        "trainer.enable_progress_bar=false", "resume=true", f"hydra.sweep.dir={runs}/{EXAMPLE}",
    ]  # fmt: skip


def ship(
    runs: Path,
    records: Path,
    data_root: str | None = None,
    sweeps: tuple[str, ...] | None = None,
) -> list[Path]:
    """Copy each sweep's shipped files from ``runs`` into ``records``; the files copied.

    ``sweeps``: only these folders of ``runs`` (default: every one).

    The copies name no folder of the machine that ran them: ``runs``' absolute path becomes
    ``runs``, ``data_root`` (the CIFAR-10 folder the commands named) ``$CIFAR10`` and this
    checkout's ``.`` (Hydra's config search path in each sweep's ``multirun.yaml``).
    """
    swaps = {str(Path(runs).resolve()): "runs", str(ROOT): "."}
    if data_root:
        swaps[str(Path(data_root).resolve())] = "$CIFAR10"
        swaps[data_root] = "$CIFAR10"
    copied = []
    for path in sorted(Path(runs).rglob("*")):
        relative = path.relative_to(runs)
        if sweeps is not None and relative.parts[0] not in sweeps:
            continue
        if path.is_file() and path.name in SHIPPED and "checkpoints" not in path.parts:
            target = Path(records) / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text(encoding="utf-8")
            for machine_path, shipped in swaps.items():
                text = text.replace(machine_path, shipped)
            target.write_text(text, encoding="utf-8")
            copied.append(target)
    return copied


def ship_all(cifar10: str, runs: Path = Path("runs")) -> tuple[list[Path], list[Path]]:
    """Ship the claims' sweeps into ``records/`` and the main job into ``examples/``."""
    claims = tuple(sorted({f for _, f, _ in PROTOCOLS} | {f"{C7_SOURCE}-c7"}))
    shipped = ship(runs, Path("records"), cifar10, claims)
    return shipped, ship(runs, Path("examples"), sweeps=(EXAMPLE,))


def main() -> int:
    """Run every command (stop at the first that fails), ship the records, write the page."""
    cifar10 = os.environ.get("CIFAR10")
    if not cifar10:
        print(f"error: {MISSING}", file=sys.stderr)
        return 2
    for command in commands(cifar10):
        print("+ " + " ".join(command), flush=True)
        done = subprocess.run(command)
        if done.returncode:
            return done.returncode
    shipped, example = ship_all(cifar10)
    print(f"shipped {len(shipped)} files into records/, {len(example)} into examples/", flush=True)
    print("+ " + " ".join(PAGE_COMMAND), flush=True)
    return subprocess.run(PAGE_COMMAND).returncode


if __name__ == "__main__":
    sys.exit(main())
