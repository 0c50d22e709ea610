"""Ctrl-C and SIGTERM: end the run as `interrupted`, keep what finished, exit 130 or 143.

Both signals become exceptions in the main thread (KeyboardInterrupt, :class:`Terminated`), so
the job's failure handling records the run, keeps its last checkpoint, writes the sweep's
report for the runs that finished, and names the command that resumes the sweep. Lightning
turns a KeyboardInterrupt inside ``fit`` into ``SystemExit(1)``; :data:`RECEIVED` still tells
which signal it was.
"""

from __future__ import annotations

import signal
from types import FrameType

from alexnet_lab.errors import Terminated

__all__ = ["RECEIVED", "Terminated", "exit_code", "install"]

#: the signals received by this process, in order
RECEIVED: list[int] = []


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    RECEIVED.append(signum)
    raise KeyboardInterrupt


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    RECEIVED.append(signum)
    raise Terminated(f"received signal {signum} (SIGTERM)")


def install() -> None:
    """Handle SIGINT and SIGTERM in this process (call once, from the main thread)."""
    signal.signal(signal.SIGINT, _on_sigint)
    signal.signal(signal.SIGTERM, _on_sigterm)


def exit_code() -> int | None:
    """128 + the first signal received (130 for Ctrl-C, 143 for SIGTERM), or None."""
    return 128 + RECEIVED[0] if RECEIVED else None
