r"""fp32 against bf16-mixed on what the claims measure: the bf16 runs' commands, then the table.

    python bench/precision_claims.py --commands --fp32 runs/c1_cpu --fp32 runs/c6_cpu
    CIFAR10=DIR python bench/precision_claims.py --run --fp32 runs/c1_cpu --fp32 runs/c6_cpu
    python bench/precision_claims.py --fp32 runs/c1_cpu --bf16 runs/c1_cpu_bf16 \
        --fp32 runs/c6_cpu --bf16 runs/c6_cpu_bf16 [--markdown]

The fp32 side is a claim's CPU protocol as it ran (``experiment=cpu/<name>``, e.g. by
``bench/results.py``; its folder under ``runs/`` or its copy under ``records/``). ``--commands``
prints the bf16 commands that pair with each fp32 sweep (``--run`` runs them, one after
another): the overrides its records share and the lists of those that vary, the same seeds,
``trainer.precision=bf16-mixed``, the parallel launcher, no logger, ``resume=true``, into
``runs/<sweep>_bf16`` with the fp32 sweep's job names. Where the claim measures epochs to the
target (C1), one command per arm at the values its verdict selected (the fp32 report's own
selection), with ``stop_at_target=false`` and ``trainer.max_epochs`` = the arm's slowest fp32
epochs to the target plus :data:`PAST_TARGET`, at most the protocol's epochs. Given
``--bf16`` folders (one per ``--fp32``, in order), it prints the table of
``bench/precision_table.py`` instead: a rich table, or with ``--markdown`` one to paste into
docs/benchmarks.md. ``CIFAR10`` (or ``--cifar10``) names the CIFAR-10 folder where the
records say ``$CIFAR10`` (as shipped records do).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alexnet_lab.overrides import shell_join, shell_quote  # noqa: E402
from alexnet_lab.record.run_record import RunRecord  # noqa: E402
from alexnet_lab.results.verdict.arms import Comparison  # noqa: E402
from alexnet_lab.results.verdict.metrics import EPOCHS_TO_TARGET  # noqa: E402
from bench.precision_table import (  # noqa: E402
    BF16,
    FP32,
    ArmRow,
    arm_row,
    claim_measure,
    claim_verdicts,
    compare_sweep,
    pair_arms,
    read_sweep,
)

#: epochs a C1 bf16 run trains past its arm's slowest fp32 run's epochs to the target
PAST_TARGET = 3
#: override keys the bf16 commands set themselves (the fp32 sweep's values are not kept)
SET_HERE = ("seed", "trainer.precision", "resume", "replace", "logger",
            "trainer.enable_progress_bar", "hydra/launcher")  # fmt: skip
#: set too where the claim measures epochs to the target
EPOCH_KEYS = ("stop_at_target", "trainer.max_epochs")
#: how shipped records name the CIFAR-10 folder
PLACEHOLDER = "$CIFAR10"
MISSING = (
    "the fp32 records name the CIFAR-10 folder $CIFAR10 (as shipped records do) and CIFAR10 is "
    "not set: point it (or --cifar10) at the CIFAR-10 folder"
)
RULE = (
    "bf16-mixed is within the seed noise of an arm when every fp32 seed has its bf16 run, at "
    "least two pairs have values, and the 95% paired t interval of bf16 - fp32 is closed, "
    "contains 0, and its mean is no larger than the fp32 arm's sample std across seeds."
)


def subdir_of(folder: Path) -> str | None:
    """The fp32 sweep's ``hydra.sweep.subdir`` (its multirun.yaml), unless Hydra's default."""
    import yaml

    path = Path(folder) / "multirun.yaml"
    if not path.is_file():
        return None
    subdir = ((yaml.safe_load(path.read_text()) or {}).get("hydra") or {}).get("sweep", {})
    subdir = subdir.get("subdir") if isinstance(subdir, dict) else None
    return None if subdir in (None, "${hydra.job.num}") else str(subdir)


def shared_overrides(runs: list[RunRecord], dropped: tuple[str, ...]) -> list[str]:
    """The runs' overrides: one value where they agree, a sweep list where they differ.

    ``experiment=`` first; keys in ``dropped`` and Hydra's own are left out.
    """
    raw: dict[str, list[str]] = {}
    for record in runs:
        for item in record.overrides:
            key = item.lstrip("+~").partition("=")[0]
            if key not in dropped and not key.startswith("hydra"):
                raw.setdefault(key, [])
                if item not in raw[key]:
                    raw[key].append(item)
    out = []
    for key, items in sorted(raw.items(), key=lambda kv: kv[0] != "experiment"):
        if len(items) == 1:
            out.append(items[0])
        else:
            prefix = items[0][: len(items[0]) - len(items[0].lstrip("+"))]
            values = sorted({i.partition("=")[2] for i in items}, key=_numeric)
            out.append(f"{prefix}{key}={','.join(values)}")
    return out


def _numeric(value: str) -> tuple[int, float | str]:
    try:
        return (0, float(value))
    except ValueError:
        return (1, value)


#: a command's runs: what it is (in words), its fp32 runs, its own overrides, its job names
Group = tuple[str, list[RunRecord], list[str], str | None]


def arm_groups(comparison: Comparison, claim: str, subdir: str | None) -> list[Group]:
    """One group per arm (and setting) at its selected values, trained a few epochs past.

    ``trainer.max_epochs``: the arm's slowest fp32 epochs to the target plus
    :data:`PAST_TARGET`, at most the fp32 runs' budget (all of it where none reached it).
    """
    groups: list[Group] = []
    for setting in comparison.settings:
        for arm in setting.arms:
            chosen = {**setting.setting, **arm.selected}
            reached = [v for v, _ in map(EPOCHS_TO_TARGET.read, arm.runs) if v is not None]
            budget = max(r.max_epochs for r in arm.runs)
            slowest = int(max(reached)) if reached else None
            most = min(slowest + PAST_TARGET, budget) if slowest is not None else budget
            at = ", ".join(f"{k}={v}" for k, v in chosen.items())
            what = f"{claim}: {arm.label} at {at}, {most} epochs (slowest fp32 run: {slowest})"
            jobs = subdir or "-".join(
                [arm.label, *(f"{k.split('.')[-1]}{v}" for k, v in chosen.items()), "seed${seed}"]
            )
            extra = ["stop_at_target=false", f"trainer.max_epochs={most}"]
            groups.append((what, arm.runs, extra, jobs))
    return groups


def bf16_commands(
    fp32: Path, runs: str = "runs", cifar10: str | None = None
) -> list[tuple[str, list[str]]]:
    """The bf16 commands that pair with the fp32 sweep in ``fp32``: (what, command) each."""
    records, _ = read_sweep(Path(fp32), FP32)
    if not records:
        raise SystemExit(f"error: no fp32 run records below {fp32}")
    comparison = compare_sweep(records)
    epochs = claim_measure(comparison) is EPOCHS_TO_TARGET
    dropped = SET_HERE + (EPOCH_KEYS if epochs else ())
    subdir = subdir_of(Path(fp32))
    claim = comparison.claim.id if comparison.claim else Path(fp32).name
    groups: list[Group] = [(f"{claim}: every arm", records, [], subdir)]
    if epochs:
        groups = arm_groups(comparison, claim, subdir)
    tail = ["hydra/launcher=parallel", "logger=none", "trainer.enable_progress_bar=false",
            f"trainer.precision={BF16}", "resume=true",
            f"hydra.sweep.dir={runs}/{Path(fp32).name}_bf16"]  # fmt: skip
    commands = []
    for what, group, extra, jobs in groups:
        seeds = sorted({r.seed for r in group if r.seed is not None})
        args = ["alexnet-lab", *shared_overrides(group, dropped), *extra,
                f"seed={','.join(map(str, seeds))}", *tail]  # fmt: skip
        if jobs:
            args.append(f"hydra.sweep.subdir={jobs}")
        if cifar10:
            args = [f"data.root={cifar10}" if a.startswith("data.root=") else a for a in args]
        commands.append((f"{what}; seeds {', '.join(map(str, seeds))}", args))
    return commands


def shell_line(args: list[str]) -> str:
    """The command to paste into a shell; ``$CIFAR10`` left for the shell to expand."""
    line = shell_join(args)
    return line.replace(shell_quote(f"data.root={PLACEHOLDER}"), f'data.root="{PLACEHOLDER}"')


def table_rows(fp32: list[Path], bf16: list[Path]) -> tuple[list[ArmRow], list[str]]:
    """Every arm's row, sweep pair by sweep pair, and what was left out or unpaired, in words."""
    rows, notes = [], []
    for before, after in zip(fp32, bf16, strict=True):
        fp32_runs, left = read_sweep(before, FP32)
        bf16_runs, left_bf16 = read_sweep(after, (BF16,))
        if not fp32_runs:
            raise SystemExit(f"error: no fp32 run records below {before}")
        arms, unpaired = pair_arms(fp32_runs, bf16_runs, Path(before).name)
        rows += [arm_row(arm) for arm in arms]
        notes += left + left_bf16 + unpaired + [n for arm in arms for n in arm.notes]
    return rows, notes


COLUMNS = (
    "claim", "arm", "measure", "seeds", "fp32", "bf16-mixed", "bf16 - fp32 (95% paired t)",
    "fp32 seed std", "bf16 within the seed noise?",
)  # fmt: skip


def cells(row: ArmRow, bold: str = "") -> list[str]:
    """The row's cells, in :data:`COLUMNS` order (``bold`` wraps the verdict)."""
    arm, m = row.pairs, row.pairs.measure

    def value(reading: tuple[float | None, bool]) -> str:
        number, censored = reading
        return "-" if number is None else (">" if censored else "") + m.amount(number)

    seeds = list(arm.pairs)
    target = next((r.target_error for r in arm.arm.runs if r.target_error is not None), None)
    diff = "-"
    if row.interval is not None:
        i = row.interval
        ends = ", ".join(m.amount(e, signed=True) for e in (i.low, i.high))
        diff = f"{m.amount(i.estimate, signed=True)} [{ends}] {m.effect_unit}"
    return [arm.claim_label, arm.label, m.heading(target), ", ".join(map(str, seeds)),
            ", ".join(value(row.fp32[s]) for s in seeds),
            ", ".join(value(row.bf16[s]) for s in seeds), diff,
            f"{m.amount(row.std)} {m.effect_unit}",
            f"{bold}{row.verdict}{bold}: {row.reason}"]  # fmt: skip


def markdown(rows: list[ArmRow], notes: list[str]) -> str:
    """The table, the rule, each claim's answer and every note, as Markdown."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cells(row, "**")) + " |" for row in rows]
    lines += ["", f"Rule: {RULE}", ""]
    lines += [f"- {claim}: bf16-mixed within the seed noise in every arm: **{answer}**"
              for claim, answer in claim_verdicts(rows).items()]  # fmt: skip
    if notes:
        lines += ["", "Left out or unpaired:", "", *(f"- {n}" for n in notes)]
    return "\n".join(lines) + "\n"


def print_table(rows: list[ArmRow], notes: list[str]) -> None:
    """The table as a rich table, then the rule, each claim's answer and every note."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(width=160)
    table = Table(*COLUMNS, title="fp32 against bf16-mixed, per seed")
    for row in rows:
        table.add_row(*map(escape, cells(row)[:-1]), row.verdict)
    console.print(table)
    for row in rows:
        console.print(escape(f"{row.pairs.claim_label} {row.pairs.label}: {row.reason}"))
    console.print(escape(f"Rule: {RULE}"))
    for claim, answer in claim_verdicts(rows).items():
        console.print(f"{claim}: bf16-mixed within the seed noise in every arm: {answer}")
    for note in notes:
        console.print(escape(f"left out or unpaired: {note}"), soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Print (or run) the bf16 commands, or print the table of fp32/bf16 sweep pairs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fp32", type=Path, action="append", required=True)
    parser.add_argument("--bf16", type=Path, action="append", default=[])
    parser.add_argument("--commands", action="store_true", help="print the bf16 commands")
    parser.add_argument("--run", action="store_true", help="run the bf16 commands in order")
    parser.add_argument("--markdown", action="store_true", help="the table as Markdown")
    parser.add_argument("--runs", default="runs", help="where the bf16 sweeps go")
    parser.add_argument("--cifar10", default=os.environ.get("CIFAR10"))
    args = parser.parse_args(argv)
    if args.commands or args.run:
        commands = [c for f in args.fp32 for c in bf16_commands(f, args.runs, args.cifar10)]
        if args.run and any(f"data.root={PLACEHOLDER}" in c for _, c in commands):
            print(f"error: {MISSING}", file=sys.stderr)
            return 2
        for what, command in commands:
            print(f"# {what}\n{shell_line(command)}", flush=True)
            if args.run and subprocess.run(command).returncode:
                return 1
        return 0
    if len(args.bf16) != len(args.fp32):
        parser.error("give one --bf16 folder per --fp32 folder, in the same order")
    rows, notes = table_rows(args.fp32, args.bf16)
    if args.markdown:
        print(markdown(rows, notes), end="")
    else:
        print_table(rows, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
