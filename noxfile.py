"""Developer sessions. They run in the active environment (`pip install -e '.[dev]'` first),
so that nox does not install a second multi-GB copy of torch.

    nox                 # lint + typecheck + tests (what CI runs)
    nox -s tests -- -m "not slow"
    nox -s typecheck
    CIFAR10=/path/to/cifar10 nox -s results   # the CPU protocols -> records/, docs/results.md
"""

import os
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))

nox.options.sessions = ["lint", "typecheck", "tests"]


@nox.session(python=False)
def tests(session: nox.Session) -> None:
    """The tests on two pytest workers (pytest-xdist): most of a CLI test is one core's start-up."""
    session.run("pytest", "-n", "2", "--dist", "worksteal", *session.posargs)


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=False)
def typecheck(session: nox.Session) -> None:
    session.run("mypy", "alexnet_lab")


@nox.session(python=False)
def results(session: nox.Session) -> None:
    """Every claim's CPU protocol on CIFAR-10 (bench/results.py): records/, docs/results.md."""
    from bench.results import MISSING, PAGE_COMMAND, commands, ship_all

    cifar10 = os.environ.get("CIFAR10")
    if not cifar10:
        session.error(MISSING)
    for command in commands(cifar10):
        session.run(*command, external=True)
    ship_all(cifar10)
    session.run(*PAGE_COMMAND, external=True)
