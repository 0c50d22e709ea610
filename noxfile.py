"""Developer sessions. They run in the active environment (`pip install -e '.[dev]'` first),
so that nox does not install a second multi-GB copy of torch.

    nox                 # lint + typecheck + tests (what CI runs)
    nox -s tests -- -m "not slow"
    nox -s typecheck
"""

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]


@nox.session(python=False)
def tests(session: nox.Session) -> None:
    session.run("pytest", *session.posargs)


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=False)
def typecheck(session: nox.Session) -> None:
    session.run("mypy", "alexnet_lab")
