"""The parallel launcher's time left holds when fast jobs end first: counted in epochs."""

import json

from rich.console import Console

from alexnet_lab.parallel.progress import Progress


def epochs(folder, n):
    folder.mkdir(parents=True, exist_ok=True)
    history = [{"epoch": e} for e in range(1, n + 1)]
    (folder / "record.json").write_text(json.dumps({"history": history}))


def test_the_time_left_holds_when_fast_jobs_end_first(tmp_path):
    """8 jobs of 10 epochs (10 s each) on 2 workers; the first 4 diverge after 1 epoch.

    At 60 s: 4 ended, #4 and #5 at epoch 4 of 10, #6 and #7 waiting. Left: 6 + 6 epochs
    (60 s on both workers), then 10 + 10 (100 s on both): 160 s. Counting jobs said 60 s.
    """
    now = [0.0]
    job = Progress(Console(width=200, file=open(tmp_path / "out", "w")), 8, ["w0", "w1"], False)
    job.clock, job.started = (lambda: now[0]), 0.0
    for number in range(4):
        label = f"w{number % 2}"
        job.job_started(label, number, ["seed=0"], tmp_path / str(number), "10")
        epochs(tmp_path / str(number), 1)
        now[0] += 5.0
        job.job_ended(label, number, failed=True)
    for number in (4, 5):
        job.job_started(f"w{number % 2}", number, ["seed=0"], tmp_path / str(number), "10")
        epochs(tmp_path / str(number), 4)
    now[0] = 60.0
    job.tick()
    assert job.summary() == "done 4/8 (4 failed), about 2m40s left"  # counting jobs: 1m00s
    assert job.seconds_left() == 160.0
