"""The CLI with a Ctrl-C that arrives while the sweep's report writes its first figure.

Run as ``python -m tests.report_interrupt <overrides>`` (tests only): matplotlib's
``Figure.savefig`` writes the start of a PNG, then this process receives a real SIGINT, as
when a user presses Ctrl-C during the report phase.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import time
from typing import Any

import matplotlib.figure


def savefig_cut_by_ctrl_c(self: Any, fname: Any, *args: Any, **kwargs: Any) -> None:
    """Half a PNG, then Ctrl-C (the handler raises during the sleep)."""
    with open(fname, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + b"\0" * 512)
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(30)


if __name__ == "__main__":
    matplotlib.figure.Figure.savefig = savefig_cut_by_ctrl_c  # type: ignore[method-assign]
    sys.argv[0] = "alexnet-lab"
    runpy.run_module("alexnet_lab", run_name="__main__", alter_sys=True)
