"""``bench/launcher_breakeven.py``: its table and break-even from constructed times (no timing)."""

from bench.launcher_breakeven import breakeven, sweep, table


def test_the_table_gives_each_cell_its_ratio_and_each_run_length_its_breakeven():
    rows = {
        (2, 1): {"basic": 10.0, "parallel": 20.0, "load": 0.5},
        (4, 1): {"basic": 20.0, "parallel": 19.0, "load": 0.5},
        (8, 1): {"basic": 40.0, "parallel": 41.0, "load": 0.5},  # not yet: 4 paid by chance
        (16, 1): {"basic": 80.0, "parallel": 50.0, "load": 99.0},
        (2, 6): {"basic": 30.0, "parallel": 24.0, "load": 0.5},
        (4, 6): {"basic": 60.0, "parallel": 40.0, "load": 0.5},
    }
    text = table(rows)
    assert "| 2 | 1 | 10.0 | 20.0 | 2.00 | 0.5 |" in text
    assert "| 16 | 1 | 80.0 | 50.0 | 0.62 | 99.0 (busy) |" in text
    assert "- 1 epoch(s) per run: the parallel launcher pays from 16 jobs on" in text
    assert "- 6 epoch(s) per run: the parallel launcher pays from 2 jobs on" in text
    rows[16, 1]["parallel"] = 90.0
    assert breakeven(rows, 1) == "pays at none of the job counts tried"


def test_a_cell_sweeps_its_job_count_of_seeds_for_its_epochs():
    class Args:
        train_size, val_size = 256, 128

    overrides = sweep(Args(), 3, 2)  # type: ignore[arg-type]
    assert overrides[0] == "-m"
    assert "seed=0,1,2" in overrides and "trainer.max_epochs=2" in overrides
    assert "data.train_size=256" in overrides and "logger=none" in overrides
