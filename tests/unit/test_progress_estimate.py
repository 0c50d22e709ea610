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


def test_a_resumed_sweeps_earlier_epochs_do_not_shorten_the_time_left(tmp_path):
    """6 jobs of 30 epochs on 2 workers, resumed: #0 completed before (30 epochs, skipped at
    once), #1 had 22 and trains 8 more in 80 s of the command's clock: 10 s an epoch. Left:
    #2-#5, 120 epochs: 1200 s at that rate (counting the earlier 52 epochs as this command's
    said 160 s)."""
    now = [0.0]
    job = Progress(Console(width=200, file=open(tmp_path / "out", "w")), 6, ["w0", "w1"], False)
    job.clock, job.started = (lambda: now[0]), 0.0
    epochs(tmp_path / "0", 30)
    epochs(tmp_path / "1", 22)
    job.job_started("w0", 0, ["seed=0"], tmp_path / "0", "30")
    job.job_ended("w0", 0, failed=False)
    job.job_started("w1", 1, ["seed=1"], tmp_path / "1", "30")
    epochs(tmp_path / "1", 30)
    now[0] = 80.0
    job.job_ended("w1", 1, failed=False)
    assert job.seconds_left() == 1200.0
    assert job.summary() == "done 2/6, about 20m00s left"
