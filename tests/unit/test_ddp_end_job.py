"""ddp.end_job: Lightning's child-process watcher is disarmed and the job's children ended."""

import os
import signal
import subprocess
import sys
import threading
import time

from alexnet_lab.engines.lightning import ddp


class _ChildProcessObserver(threading.Thread):
    """Lightning's observer as far as end_job sees it (its name, main pid and children)."""

    def __init__(self, procs: list[subprocess.Popen]) -> None:
        super().__init__(daemon=True)
        self._main_pid, self._child_processes, self._finished = os.getpid(), procs, False

    def run(self) -> None:
        while not self._finished:
            time.sleep(0.05)


def test_end_job_disarms_the_observer_ends_the_children_and_names_the_dead_rank():
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    dead, alive = subprocess.Popen(sleeper), subprocess.Popen(sleeper)
    dead.send_signal(signal.SIGKILL)
    dead.wait()
    observer = _ChildProcessObserver([dead, alive])
    observer.start()
    deaths = ddp.end_job(failed=True, grace_s=2)
    assert deaths == [f"DDP rank 1 (pid {dead.pid}) died with SIGKILL"]
    assert alive.poll() is not None  # terminated and reaped
    assert observer._finished and observer._child_processes == []
    observer.join(2)
    assert not observer.is_alive()
    assert ddp.end_job(failed=False) == []  # nothing left over for the next job
