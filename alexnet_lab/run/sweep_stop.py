"""A sweep interrupted outside any job: the report of what finished, the resume command, exit.

Ctrl-C or SIGTERM that arrives while a launcher sets up (imports torch, loads a stack's data,
starts its workers) or between jobs reaches no job's own handling
(:func:`alexnet_lab.run.outcome.stop_interrupted`); it ends here, in the same paragraph.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

from alexnet_lab.run import signals


def stop_interrupted_sweep(sweep_dir: Path, code: int | None = None) -> NoReturn:
    """Write the report of the jobs that finished, print the resume command, exit 130/143."""
    from alexnet_lab.console import print_error
    from alexnet_lab.run.resume import resume_command

    try:
        from alexnet_lab.results.sweep_report import write_sweep_report

        write_sweep_report(sweep_dir)
    except (KeyboardInterrupt, signals.Terminated):
        pass  # a second interrupt: the paragraph still follows
    command = resume_command(sys.argv[1:], sweep_dir.resolve(), True)
    print_error(
        "interrupted",
        f"the sweep in {sweep_dir} stopped. Finished runs are kept; the runs that were "
        "training say `interrupted` in their records and continue from their last finished "
        "epoch (checkpoints/last.ckpt); jobs not started yet run then. Resume with: "
        f"{command}",
    )
    sys.exit(code or signals.exit_code() or 130)
