"""The whole GPU check in one call: the CUDA tests, two benches, Figure 1's grid on CIFAR-10.

    python bench/gpu_check.py --out DIR --cifar10 TREE [--budget 510] [--steps ...]
    python bench/gpu_check.py --out DIR --cifar10 TREE --quick    # tiny, on the CPU, first

Made for a GPU you have for minutes (rented, shared, a job slot): one call does everything,
each step gets a share of ``--budget`` seconds, a step that fails or runs out of time is
written down and the next one runs, and everything lands in ``--out`` in eight files at most:

    summary.json  every figure below, the device, the versions, each step's outcome
    check.log     what this script printed
    tests.log     ``pytest tests/gpu`` on the device: stacked = sequential, a diverging member
                  frozen, resident data, ten-crop tests, the paper's net on 227x227 crops
    syncs.log     a short stacked sweep under ``ALEXNET_LAB_SYNC_DEBUG=warn``: every line of
                  the toolkit that makes the host wait for the GPU during training
    alexnet.log   ``bench/throughput.py`` for the paper's net on 227x227: images/s, peak memory
    sweep.log     ``bench/sweep.py`` on the CIFAR-10 tree: sequential, stacked, the floor
    c1.log        ``alexnet-lab experiment=relu_vs_tanh`` on the whole CIFAR-10 (48 runs x 40
                  epochs) under the default launcher (stacked on a GPU), timed
    c1.tar.gz     its records, report and plots (no checkpoints)

When the budget ends before the C1 grid does, the grid is stopped with SIGTERM (its runs are
recorded as interrupted; the same command with ``resume=true`` continues them), and the summary
gives the member-epochs done, the measured rate and the whole grid's time extrapolated from
it, marked as an extrapolation. ``--quick`` runs every step at a tiny size on the CPU (the
tests with ``ALEXNET_LAB_TEST_DEVICE=cpu``, the grid stacked on 512 images for 2 epochs), so
that the GPU call cannot fail on a typo.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tarfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("env", "tests", "syncs", "alexnet", "sweep", "c1")
#: what each step may take at most, in seconds (C1 takes what is left)
CAPS = {"tests": 150, "syncs": 45, "alexnet": 60, "sweep": 150}
#: torch's warning for an operation that makes the host wait for the GPU
SYNC_WARNING = "called a synchronizing CUDA operation"
#: seconds kept back from the C1 grid for its report and the tarball
RESERVE = 40
#: seconds a stopped command has to record its runs as interrupted before SIGKILL
GRACE = 30
#: Figure 1's grid: 2 activations x 8 lrs x 3 seeds, 40 epochs each
C1_MEMBER_EPOCHS = 48 * 40


class Check:
    """The check's state: where it writes, its deadline, and what each step found."""

    def __init__(self, out: Path, work: Path, budget: float, quick: bool) -> None:
        self.out, self.work, self.quick = out, work, quick
        self.start = time.monotonic()
        self.deadline = self.start + budget
        self.summary: dict[str, Any] = {
            "date": datetime.now().isoformat(timespec="seconds"),
            "quick": quick,
            "budget_s": budget,
            "steps": {},
        }
        out.mkdir(parents=True, exist_ok=True)
        work.mkdir(parents=True, exist_ok=True)
        self.log_file = (out / "check.log").open("a")

    def say(self, text: str) -> None:
        """Print a line with the seconds since the start, and keep it in check.log."""
        line = f"[{time.monotonic() - self.start:6.1f}s] {text}"
        print(line, flush=True)
        self.log_file.write(line + "\n")
        self.log_file.flush()

    def left(self) -> float:
        """Seconds left of the budget."""
        return self.deadline - time.monotonic()

    def save(self) -> None:
        """Write summary.json as it stands (after every step, so a killed check leaves it)."""
        self.summary["elapsed_s"] = round(time.monotonic() - self.start, 1)
        (self.out / "summary.json").write_text(json.dumps(self.summary, indent=2))


def run_logged(
    check: Check,
    command: list[str],
    log_name: str,
    timeout: float,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run ``command`` with its output in the file ``log_name`` of the check's folder.

    At ``timeout`` it is stopped (SIGTERM to its process group, SIGKILL ``GRACE`` s later).
    Returns its exit code, its wall seconds and whether it was stopped.
    """
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "140", **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full_env.get("PYTHONPATH")]))
    check.say(f"$ {' '.join(command)}  (at most {timeout:.0f} s)")
    began = time.monotonic()
    with (check.out / log_name).open("a") as log:
        log.write(f"$ {' '.join(command)}\n")
        log.flush()
        proc = subprocess.Popen(
            command,
            cwd=check.work,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stopped = False
        try:
            code = proc.wait(timeout=max(timeout, 1))
        except subprocess.TimeoutExpired:
            stopped = True
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                code = proc.wait(timeout=GRACE)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                code = proc.wait()
    seconds = round(time.monotonic() - began, 1)
    check.say(f"  exit {code} after {seconds} s" + (" (stopped: out of time)" if stopped else ""))
    return {"exit": code, "seconds": seconds, "stopped": stopped}


def step_env(check: Check, args: argparse.Namespace) -> dict[str, Any]:
    """The device, its memory and the library versions."""
    import torch

    found: dict[str, Any] = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if torch.cuda.is_available() else None,
        "cpu_count": os.cpu_count(),
        "gpu": None,
    }
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        found["gpu"] = props.name
        found["gpu_memory_gib"] = round(props.total_memory / 2**30, 1)
        found["gpu_count"] = torch.cuda.device_count()
    for name in ("torchvision", "pytorch_lightning", "torchmetrics", "hydra", "omegaconf"):
        try:
            found[name] = __import__(name).__version__
        except ImportError:
            found[name] = None
    found["wandb"] = importlib.util.find_spec("wandb") is not None
    found["pytest"] = importlib.util.find_spec("pytest") is not None
    if not args.quick and not torch.cuda.is_available():
        raise SystemExit("no CUDA device here: run with --quick on a CPU machine")
    return found


def step_tests(check: Check, args: argparse.Namespace) -> dict[str, Any]:
    """``pytest tests/gpu`` on the device (on the CPU under --quick)."""
    if importlib.util.find_spec("pytest") is None:
        raise RuntimeError(
            "pytest is not installed: stage its wheels beside the others (docs/benchmarks.md, "
            "'On a GPU machine')"
        )
    env = {"ALEXNET_LAB_TEST_DEVICE": "cpu" if args.quick else "cuda"}
    command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "gpu"), "-v", "-rs"]
    command += [
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(ROOT),
        "-c",
        str(ROOT / "pyproject.toml"),
    ]
    result = run_logged(check, command, "tests.log", min(CAPS["tests"], check.left()), env)
    tail = (check.out / "tests.log").read_text().splitlines()[-1:]
    counts = dict((k, int(n)) for n, k in re.findall(r"(\d+) (passed|failed|error|skipped)", *tail))
    return {**result, "counts": counts, "last_line": tail[0] if tail else ""}


def step_syncs(check: Check, args: argparse.Namespace) -> dict[str, Any]:
    """The lines that make the host wait for the GPU in a stacked sweep (none on the CPU)."""
    command = [sys.executable, "-m", "alexnet_lab", "-m", "data=synthetic", "model=convnet4"]
    command.append(f"data.train_size={512 if args.quick else 4096}")
    command += ["data.val_size=256", "augmentation=crop_flip"]
    command += ["norm=none", "trainer.max_epochs=1", "optim.lr=0.001,0.01", "seed=0,1"]
    command += ["logger=none", "callbacks=none", "trainer.enable_progress_bar=false"]
    command += ["hydra/launcher=stacked", f"hydra.sweep.dir={check.work / 'syncs'}"]
    env = {"ALEXNET_LAB_SYNC_DEBUG": "warn"}
    result = run_logged(check, command, "syncs.log", min(CAPS["syncs"], check.left()), env)
    lines = (check.out / "syncs.log").read_text().splitlines()
    sites = sorted({line.split(": UserWarning")[0] for line in lines if SYNC_WARNING in line})
    return {**result, "sites": sites}


def step_alexnet(check: Check, args: argparse.Namespace) -> dict[str, Any]:
    """Training speed and peak memory of the paper's net on 227x227 crops."""
    figures = check.work / "alexnet.json"
    size = ["data.train_size=64", "data.batch_size=16"] if args.quick else ["data.batch_size=128"]
    batches = ["--batches", "2", "--warmup", "1"] if args.quick else ["--batches", "30"]
    command = [sys.executable, str(ROOT / "bench" / "throughput.py"), *batches]
    command += ["--json", str(figures), "model=alexnet", "data=synthetic", "data.image_size=256"]
    command += ["data.crop_size=227", "data.val_size=32", "augmentation=paper", *size]
    if not args.quick:
        command.append("data.train_size=1024")
    result = run_logged(check, command, "alexnet.log", min(CAPS["alexnet"], check.left()))
    if figures.exists():
        result["figures"] = json.loads(figures.read_text())
    return result


def step_sweep(check: Check, args: argparse.Namespace) -> dict[str, Any]:
    """Sequential, stacked and the floor on real CIFAR-10 images: images/s and ratios."""
    figures = check.work / "sweep.json"
    if args.quick:
        shape = ["--train-size", "256", "--val-size", "128", "--epochs", "1", "--lrs", "0.01"]
    else:
        shape = ["--train-size", "10000", "--val-size", "2000", "--epochs", "2"]
        shape += ["--lrs", "0.001,0.003,0.01,0.03"]
    command = [sys.executable, str(ROOT / "bench" / "sweep.py"), "--cifar10", str(args.cifar10)]
    command += [*shape, "--seeds", "0", "--ways", "a,b,c", "--json", str(figures)]
    result = run_logged(check, command, "sweep.log", min(CAPS["sweep"], check.left()))
    if figures.exists():
        result["figures"] = json.loads(figures.read_text())
    return result


def c1_records(sweep: Path) -> list[dict[str, Any]]:
    """The records of the C1 grid's runs written so far."""
    found = []
    for path in sorted(sweep.glob("*/record.json")):
        try:
            found.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return found


def step_c1(check: Check, args: argparse.Namespace) -> dict[str, Any]:
    """Figure 1's grid on the whole CIFAR-10 under the default launcher, timed, then tarred."""
    sweep = check.work / "c1"
    command = [sys.executable, "-m", "alexnet_lab", "experiment=relu_vs_tanh"]
    command += [f"data.root={args.cifar10}", "logger=csv", "trainer.enable_progress_bar=false"]
    command.append(f"hydra.sweep.dir={sweep}")
    if args.quick:  # stacked on the CPU too, so that --quick walks the GPU's path
        command += ["data.train_size=512", "data.val_size=256", "trainer.max_epochs=2"]
        command += ["optim.lr=0.001,0.01", "seed=0", "hydra/launcher=stacked"]
    before = c1_records(sweep)
    earlier = sum(len(r.get("history", [])) for r in before)
    if before:  # an earlier call's runs, on a machine still warm: continue them
        command.append("resume=true")
    result = run_logged(check, command, "c1.log", check.left() - RESERVE)
    records = c1_records(sweep)
    done = sum(len(r.get("history", [])) for r in records) - earlier
    statuses: dict[str, int] = {}
    for record in records:
        statuses[record["status"]] = statuses.get(record["status"], 0) + 1
    result.update(runs=len(records), statuses=statuses, member_epochs=done, earlier=earlier)
    if result["stopped"] and done:
        rate = done / result["seconds"]
        result["extrapolated"] = {
            "member_epochs_per_s": round(rate, 3),
            "whole_grid_s": round(C1_MEMBER_EPOCHS / rate, 1),
            "left_s": round((C1_MEMBER_EPOCHS - done - earlier) / rate, 1),
            "how": (
                "EXTRAPOLATION: the member-epochs done in the timed wall seconds (start-up and "
                f"data loading included), scaled linearly to {C1_MEMBER_EPOCHS} member-epochs "
                "(48 runs x 40 epochs; runs that diverge end sooner)"
            ),
        }
    if not (sweep / "report.md").exists() and records:
        report = [sys.executable, "-m", "alexnet_lab.results.report", str(sweep), "--quiet"]
        result["report"] = run_logged(check, report, "c1.log", max(check.left(), 30))
    summary = sweep / "summary.json"
    if summary.exists():
        result["verdict"] = json.loads(summary.read_text()).get("settings")
    with tarfile.open(check.out / "c1.tar.gz", "w:gz") as tar:
        tar.add(sweep, arcname="c1", filter=_without_checkpoints)
    return result


def _without_checkpoints(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Leave checkpoints out of the tarball (records, reports, plots and logs stay)."""
    if "/checkpoints" in info.name or info.name.endswith((".ckpt", ".pt")):
        return None
    return info


STEP_FUNCTIONS = {
    "env": step_env,
    "tests": step_tests,
    "syncs": step_syncs,
    "alexnet": step_alexnet,
    "sweep": step_sweep,
    "c1": step_c1,
}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen steps in order; write summary.json after each; exit 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="where the files go ($OUT)")
    parser.add_argument("--cifar10", type=Path, required=True, help="a CIFAR-10 tree")
    parser.add_argument("--budget", type=float, default=510, help="seconds for all the steps")
    parser.add_argument("--steps", default=",".join(STEPS), help="which of " + ",".join(STEPS))
    parser.add_argument("--work", type=Path, default=Path("/tmp/gpu-check"), help="scratch")
    parser.add_argument("--quick", action="store_true", help="tiny sizes on the CPU")
    args = parser.parse_args(argv)
    steps = args.steps.split(",")
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown steps {unknown}: choose from {','.join(STEPS)}")
    if not (args.cifar10 / "train").is_dir():
        parser.error(f"--cifar10 {args.cifar10} has no train/ folder (a CIFAR-10 ImageFolder tree)")
    check = Check(args.out, args.work, args.budget, args.quick)
    failed = []
    for name in steps:
        check.say(f"== {name} ({check.left():.0f} s left)")
        began = time.monotonic()
        try:
            outcome = STEP_FUNCTIONS[name](check, args)
            ok = outcome.get("exit", 0) == 0 and not outcome.get("stopped", False)
            if name == "c1" and outcome.get("stopped"):
                ok = True  # a timed fraction is an answer, said as such
        except Exception as exc:  # a step's failure is a finding; the next step still runs
            outcome, ok = {"error": f"{type(exc).__name__}: {exc}"}, False
        outcome["ok"] = ok
        outcome["step_s"] = round(time.monotonic() - began, 1)
        check.summary["steps"][name] = outcome
        check.save()
        check.say(f"   {name}: {'ok' if ok else 'FAILED'} " + _brief(name, outcome))
        if not ok:
            failed.append(name)
    check.say(f"done in {time.monotonic() - check.start:.0f} s; failed: {failed or 'none'}")
    return 1 if failed else 0


def _brief(name: str, outcome: dict[str, Any]) -> str:
    """One line of a step's main figures."""
    if "error" in outcome:
        return outcome["error"]
    if name == "env":
        return f"{outcome.get('gpu') or 'CPU'}, torch {outcome['torch']}"
    if name == "tests":
        return outcome.get("last_line", "")
    if name == "syncs":
        return f"{len(outcome.get('sites', []))} lines make the host wait: {outcome.get('sites')}"
    if "figures" in outcome:
        return json.dumps(outcome["figures"].get("images_per_s"))
    if name == "c1":
        verdicts = [
            f"{s['verdict']['verdict']} ({s['verdict'].get('numbers', {}).get('ratio')}x)"
            for s in outcome.get("verdict") or []
        ]
        brief = (
            f"{outcome.get('runs')} runs {outcome.get('statuses')}, "
            f"{outcome.get('member_epochs')} member-epochs in {outcome.get('seconds')} s; "
            f"verdict: {', '.join(verdicts) or 'none'}"
        )
        if "extrapolated" in outcome:
            guess = outcome["extrapolated"]
            brief += f"; whole grid ~{guess['whole_grid_s']} s ({guess['how']})"
        return brief
    return ""


if __name__ == "__main__":
    sys.exit(main())
