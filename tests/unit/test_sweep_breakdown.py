"""``bench/breakdown.py``: a sweep's wall time by part, from constructed records (no timing)."""

from alexnet_lab.record.files import write_record
from bench.breakdown import breakdown, line, parts
from tests.records import a_record

BEGAN = 1_000_000.0  # the command's start (Unix seconds); the records below are relative


def at(seconds: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(BEGAN + seconds, tz=timezone.utc).isoformat(timespec="seconds")


def run(start: float, finish: float, *epochs: float):
    history = [{"epoch": i + 1, "train_error": 0.5, "seconds": s} for i, s in enumerate(epochs)]
    return a_record(started_at=at(start), finished_at=at(finish), history=history)


def test_the_parts_add_up_to_the_workers_time():
    records = [run(20, 50, 12, 12), run(21, 40, 15), run(52, 80, 25)]  # two workers
    found = parts(records, 2, BEGAN, BEGAN + 90)
    assert found["start"] == 20 and found["end"] == 10 and found["runs"] == 3
    assert found["epochs"] == 64  # 24 + 15 + 25
    assert found["in runs, besides epochs"] == 30 + 19 + 28 - 64
    assert found["between runs"] == 2 * (90 - 20 - 10) - (30 + 19 + 28)
    assert "start 20 s | 3 runs on 2 worker(s)" in line(found)
    assert parts([a_record()], 2, BEGAN, BEGAN + 9) == {} and line({}) == "no timed runs"


def test_a_sweep_folder_counts_its_workers_from_their_logs(tmp_path):
    write_record(tmp_path / "0" / "record.json", run(5, 15, 8))
    assert breakdown(tmp_path, BEGAN, BEGAN + 20)["workers"] == 1
    (tmp_path / ".parallel").mkdir()
    for n in range(2):
        (tmp_path / ".parallel" / f"worker-{n}.log").write_text("")
    found = breakdown(tmp_path, BEGAN, BEGAN + 20)
    assert found["workers"] == 2 and found["between runs"] == 2 * 10 - 10
