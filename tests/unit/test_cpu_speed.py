"""``bench/cpu_speed.py``: its tables from constructed figures (nothing is timed here)."""

from bench.cpu_speed import NETS, markdown, net_model


def test_the_tables_give_each_way_its_ratio_and_a_run_its_fastest_exact_step():
    results = {
        "header": {"date": "2026-12-06", "command": "python bench/cpu_speed.py", "torch": "2",
                   "cpu": "a CPU, 2 cores", "load": "0.5", "threads": 1, "batch": 128,
                   "seconds": 6},
        "steps": {"convnet4": {"fp32": 800.0, "fp32 channels-last": 1000.0,
                               "bf16 autocast": 1200.0, "bf16 + channels-last": 1600.0}},
        "stacked": {"convnet4": {"members": 4, "contiguous": 400.0, "channels_last": 300.0}},
        "runs": [{"net": "convnet4", "train_size": 10000, "epochs": 1, "images_per_s": 950.0,
                  "layout": "channels_last", "precision": "32-true"}],
    }  # fmt: skip
    text = markdown(results)
    assert "| convnet4 | 800 | 1,000 (1.25x) | 1,200 (1.50x) | 1,600 (2.00x) |" in text
    assert "| convnet4 | 4 | 400 | 300 (0.75x) |" in text
    # the run against the faster of the two exact ways (fp32 channels-last), not bf16
    assert "| convnet4 | 10,000 | 1 | channels_last, 32-true | 950 | 1,000 | 0.95 |" in text
    assert "2026-12-06 on a CPU, 2 cores (load average 0.5" in text


def test_every_row_builds_its_net_for_cifar_sized_input():
    assert {"convnet4", "convnet_local", "alexnet_cifar"} <= {o[0][6:] for o in NETS.values()}
    model = net_model("convnet4")
    assert not any(type(m).__name__.startswith("LocalResponse") for m in model.modules())
