"""``alexnet-lab-sweep``: write the W&B sweep files ``sweeps/*.yaml`` from the experiment files.

An experiment file (``conf/experiment/NAME.yaml``) is the one source of a sweep: its claim and
its ``hydra.sweeper.params``. This command composes it with Hydra, expands every sweep value as
Hydra's basic sweeper does (``a,b``, ``range(...)``, ``choice(...)``), and writes the W&B grid
sweep that runs the same grid point by point (``wandb agent`` starts ``alexnet-lab
experiment=NAME hydra.mode=RUN <params>`` per point), so the two cannot drift apart:

    alexnet-lab-sweep experiment=pooling    # writes sweeps/pooling.yaml
    alexnet-lab-sweep --all                 # every experiment with a sweep (also: no argument)
    alexnet-lab-sweep --check               # exit 1 if a committed file differs or is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.override_parser.overrides_parser import OverridesParser

from alexnet_lab.configs import CONFIG_DIR

#: the W&B sweep files live in the checkout's sweeps/, beside conf/
SWEEPS_DIR = Path(__file__).resolve().parents[2] / "sweeps"

HEADER = """\
# W&B sweep of experiment={name} ({claim}): the same arms, grid and seeds as
# `alexnet-lab experiment={name}` (a Hydra multirun), each combination one single run.
# Generated from conf/experiment/{name}.yaml (alexnet-lab-sweep --check fails while the two
# differ): edit that file, then run
#   alexnet-lab-sweep experiment={name}
#   wandb sweep sweeps/{name}.yaml      # prints the sweep id
#   wandb agent <entity>/<project>/<id> # on each machine; runs go below
#                                       # multirun/wandb-sweep-<id>/, then:
#   alexnet-lab-report multirun/wandb-sweep-<id>
# Extra Hydra overrides go after ${{args_no_hyphens}} in `command` (e.g. data=cifar10).
name: {name}
program: alexnet-lab
method: grid
metric:
  name: val_error
  goal: minimize
"""
COMMAND = """\
command:
  - ${{env}}
  - alexnet-lab
  - experiment={name}
  - hydra.mode=RUN
  - ${{args_no_hyphens}}
"""


def experiment_names(config_dir: Path = CONFIG_DIR) -> list[str]:
    """Every experiment file's name, sorted."""
    return sorted(p.stem for p in (config_dir / "experiment").glob("*.yaml"))


def experiment_grid(name: str, config_dir: Path = CONFIG_DIR) -> tuple[str, dict[str, list[str]]]:
    """The claim and the swept values (in the file's order) of ``experiment=name``.

    An experiment without ``hydra.sweeper.params`` has an empty grid.
    """
    with initialize_config_dir(config_dir=str(config_dir.resolve()), version_base="1.3"):
        cfg = compose("config", overrides=[f"experiment={name}"], return_hydra_config=True)
    params = cfg.hydra.sweeper.get("params") or {}
    parser = OverridesParser.create()
    grid = {}
    for key, value in params.items():
        (override,) = parser.parse_overrides([f"{key}={value}"])
        if override.is_sweep_override():
            grid[str(key)] = [str(v) for v in override.sweep_string_iterator()]
        else:
            grid[str(key)] = [override.get_value_element_as_str()]
    return str(cfg.get("claim") or "no claim"), grid


def _yaml_value(value: str) -> int | str:
    """A swept value as the sweep file lists it: integers (seeds) as numbers, the rest quoted.

    Quoting keeps ``on`` a string and hands ``0.0001`` to Hydra as written, not as W&B's float.
    """
    return int(value) if re.fullmatch(r"-?\d+", value) else value


def sweep_text(name: str, claim: str, grid: dict[str, list[str]]) -> str:
    """The W&B sweep file of an experiment, as ``alexnet-lab-sweep`` writes it."""
    lines = [HEADER.format(name=name, claim=claim), "parameters:\n"]
    for key, values in grid.items():
        listed = json.dumps([_yaml_value(v) for v in values])
        lines.append(f"  {key}:\n    values: {listed}\n")
    lines.append(COMMAND.format(name=name))
    return "".join(lines)


def generate(name: str, config_dir: Path = CONFIG_DIR) -> str | None:
    """The sweep file of ``experiment=name``, or None when the experiment sweeps nothing."""
    claim, grid = experiment_grid(name, config_dir)
    return sweep_text(name, claim, grid) if grid else None


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="alexnet-lab-sweep",
        description="Write sweeps/NAME.yaml (W&B grid sweeps) from conf/experiment/NAME.yaml.",
    )
    names_help = "the experiments to write (NAME alone works too); none: every one with a sweep"
    check_help = (
        "write nothing; exit 1 if a sweep file differs from what would be written, is missing, "
        "or belongs to no experiment with a sweep"
    )
    parser.add_argument("experiments", nargs="*", metavar="experiment=NAME", help=names_help)
    parser.add_argument("--all", action="store_true", help="every experiment with a sweep")
    parser.add_argument("--check", action="store_true", help=check_help)
    parser.add_argument("--config-dir", type=Path, default=CONFIG_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--sweeps-dir", type=Path, default=SWEEPS_DIR, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point; returns the exit status (0 ok, 1 out of date, 2 usage)."""
    args = _parse_args(argv)
    known = experiment_names(args.config_dir)
    names = [e.removeprefix("experiment=") for e in args.experiments]
    unknown = [n for n in names if n not in known]
    if unknown:
        print(
            f"alexnet-lab-sweep: no experiment {', '.join(unknown)} in "
            f"{args.config_dir / 'experiment'}; valid: {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    every = args.all or not names
    texts = {n: generate(n, args.config_dir) for n in (known if every else names)}
    no_sweep = [n for n, text in texts.items() if text is None]
    if no_sweep and not every:
        print(f"alexnet-lab-sweep: {', '.join(no_sweep)} sweeps nothing", file=sys.stderr)
        return 2
    wanted = {n: text for n, text in texts.items() if text is not None}
    if args.check:
        return _check(wanted, args.sweeps_dir, stale_too=every)
    args.sweeps_dir.mkdir(parents=True, exist_ok=True)
    for n, text in wanted.items():
        path = args.sweeps_dir / f"{n}.yaml"
        if path.exists() and path.read_text() == text:
            print(f"{path} is up to date")
        else:
            path.write_text(text)
            print(f"wrote {path}")
    return 0


def _check(wanted: dict[str, str], sweeps_dir: Path, stale_too: bool) -> int:
    """Report each sweep file that differs, is missing or is stale; 1 if there is any."""
    problems = []
    for n, text in wanted.items():
        path = sweeps_dir / f"{n}.yaml"
        if not path.exists():
            problems.append(f"{path} is missing")
        elif path.read_text() != text:
            problems.append(f"{path} differs from conf/experiment/{n}.yaml")
    if stale_too:
        stale = sorted(p for p in sweeps_dir.glob("*.yaml") if p.stem not in wanted)
        problems += [f"{p} belongs to no experiment with a sweep (delete it)" for p in stale]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("run `alexnet-lab-sweep --all` to write them again", file=sys.stderr)
        return 1
    print(f"{len(wanted)} sweep file(s) match their experiments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
