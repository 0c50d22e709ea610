"""A parallel worker's task module that notes how its process ended, for the worker's tests.

Imported in the worker when it resolves its task: a thread that is no daemon writes
``thread`` after a while, an exit hook writes ``hook`` and a module global's finaliser writes
``teardown`` (it runs only when the interpreter tears the module down), into the folder that
``ALEXNET_LAB_TEST_EXIT_DIR`` names.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from pathlib import Path

FOLDER = Path(os.environ["ALEXNET_LAB_TEST_EXIT_DIR"])


def _note(name: str) -> None:
    (FOLDER / name).write_text(str(os.getpid()))


class _TornDown:
    def __del__(self) -> None:
        _note("teardown")


_KEPT = _TornDown()
atexit.register(_note, "hook")
threading.Thread(target=lambda: (time.sleep(0.5), _note("thread")), daemon=False).start()


def task(cfg: object) -> None:
    """Never called: the test's worker gets no job."""
