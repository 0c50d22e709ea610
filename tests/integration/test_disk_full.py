"""A full disk (a real 2 MiB tmpfs): records kept or named, one paragraph, no file cut short."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from alexnet_lab.record.files import write_record
from alexnet_lab.results.report import main as report_main
from tests.records import curve, load_record, make_record

TINY = [
    "data=synthetic",
    "data.train_size=128",
    "data.val_size=64",
    "trainer.max_epochs=1",
    "callbacks=none",
    "trainer.enable_progress_bar=false",
]


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MiB tmpfs at ``tmp_path/disk`` (needs root: skipped where mount is not allowed)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` with a file, then give back about ``leave`` bytes."""
    filler = disk / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - leave))


def partial_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if ".partial" in p.name or p.name.startswith(".metrics")]


@pytest.mark.slow
def test_a_sweep_that_fills_its_disk_keeps_its_records_and_says_so_in_one_paragraph(
    run_cli, small_disk
):
    sweep = small_disk / "sweep"
    result = run_cli("-m", *TINY, "optim.lr=0.01,0.02,0.03", f"hydra.sweep.dir={sweep}")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out[-3000:]
    assert "Traceback" not in out and "Logging error" not in out
    assert len(result.stderr.splitlines()) < 40, result.stderr[-3000:]
    message = " ".join(result.stderr.replace("│", " ").split())  # the paragraph, unwrapped
    assert "disk full" in message and "No space left on device" in message
    assert f"{sweep}/1" in message and "resume=true" in message
    first = load_record(sweep / "0")
    assert first.status == "completed"  # the job before the disk filled is intact
    second = load_record(sweep / "1")  # never cut short
    if "could not be saved" in message:  # then the paragraph names the record
        assert f"{sweep}/1/record.json" in message
    else:
        assert second.status == "failed" and "No space left" in second.error
    assert not (sweep / "2").exists()  # the sweep stopped: the next job could not start
    assert not partial_files(sweep)


def write_sweep(folder: Path, lr_runs: int = 2) -> None:
    for i, reach in enumerate([3, 4, 3, 5][:lr_runs]):
        arm = "pooling=overlap" if i % 2 == 0 else "pooling=nonoverlap"
        write_record(folder / str(i) / "record.json", make_record([arm], i, curve(reach)))


def test_the_report_on_a_full_disk_keeps_the_old_files_whole_and_says_so(small_disk, capsys):
    sweep = small_disk / "sweep"
    write_sweep(sweep, 4)
    report_main([str(sweep), "--quiet"])
    names = ("summary.json", "report.md", "training_curves.png", "final_errors.png")
    before = {name: (sweep / name).read_bytes() for name in names}
    write_record(sweep / "4" / "record.json", make_record(["pooling=overlap"], 9, curve(2)))
    fill(small_disk, leave=6000)  # room for a few small files, not for the report

    with pytest.raises(SystemExit) as stopped:
        report_main([str(sweep), "--quiet"])
    assert stopped.value.code == 1
    err = " ".join(capsys.readouterr().err.replace("│", " ").split())
    assert "disk full" in err and "No space left on device" in err
    assert str(sweep) in err.replace(" ", "")  # a long path may wrap inside the panel
    for name, data in before.items():  # every file whole: the old one or a complete new one
        now = (sweep / name).read_bytes()
        assert now == data or (name == "report.md" and len(now) > 100), name
    json.loads((sweep / "summary.json").read_text())
    assert not partial_files(sweep)


@pytest.mark.slow
def test_finishing_wandb_that_fails_never_hides_the_runs_own_error_or_its_record(run_cli, tmp_path):
    fails = "+callbacks.f._target_=tests.wandb_finish_fails.Fail"
    result = run_cli(*TINY, "trainer.max_epochs=2", "logger=csv", fails, "hydra.run.dir=run")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "the run's own error" in result.stderr
    record = load_record(tmp_path / "run")
    assert record.status == "failed" and "the run's own error" in record.error
    assert "No space left on device (W&B's log)" in record.wandb_error
    assert record.finished_at
