"""``nox -s results``: every command of bench/results.py runs a CPU protocol and composes."""

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from alexnet_lab.cli import CONFIG_DIR
from bench.results import (
    EXAMPLE,
    MISSING,
    PAGE_COMMAND,
    PROTOCOLS,
    SHIPPED,
    commands,
    main,
    main_job_command,
    ship,
)
from bench.sweep import MAIN_JOB

TRAINING = [c for c in commands("/tmp/cifar10")[:-1] if c[0] == "alexnet-lab"]


def test_the_list_is_every_protocol_then_c7_read_off_c5_then_the_main_job():
    *training, c7, main_job = commands("/data/c10")
    assert main_job == main_job_command() and main_job[1 : 1 + len(MAIN_JOB)] == MAIN_JOB
    assert f"hydra.sweep.dir=runs/{EXAMPLE}" in main_job and "resume=true" in main_job
    assert [c[1] for c in training] == [f"experiment=cpu/{name}" for name, _, _ in PROTOCOLS]
    assert {c[1] for c in training} == {
        f"experiment=cpu/{p.stem}" for p in (CONFIG_DIR / "experiment" / "cpu").glob("*.yaml")
    } - {"experiment=cpu/tta"}  # C7 trains nothing: it is read off C5's runs
    assert c7 == ["alexnet-lab-report", "runs/c5_cpu", "--claim", "C7", "--quiet"]
    folders = [o.split("=", 1)[1] for c in training for o in c if o.startswith("hydra.sweep.dir")]
    assert folders == [f"runs/{folder}" for _, folder, _ in PROTOCOLS]
    assert all("data.root=/data/c10" in c and "resume=true" in c for c in training)
    assert PAGE_COMMAND == [
        "alexnet-lab-report", "--all", "records", "--out", "docs", "--readme", "README.md",
        "--example", f"examples/{EXAMPLE}",
    ]  # fmt: skip


@pytest.mark.parametrize("command", TRAINING, ids=lambda c: c[1].split("=")[1])
def test_each_command_composes_and_names_its_jobs_by_arm_and_seed(command):
    overrides = command[1:]
    single = [o.split(",")[0] for o in overrides]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=single, return_hydra_config=True)
    assert cfg.hydra.mode.name == "MULTIRUN" and cfg.protocol == overrides[0].split("=")[1]
    for key in cfg.hydra.sweeper.params:
        assert OmegaConf.select(cfg, key, default="absent") != "absent", key
    assert cfg.data.root == "/tmp/cifar10"
    assert "seed" in cfg.hydra.sweep.subdir and cfg.hydra.sweep.subdir != "${hydra.job.num}"


def test_only_records_commands_and_reports_are_shipped(tmp_path):
    runs = tmp_path / "runs"
    for name in (*SHIPPED, "summary.json", "report.html", "training_curves.png"):
        (runs / "c5_cpu").mkdir(parents=True, exist_ok=True)
        (runs / "c5_cpu" / name).write_text(name)
    (runs / "c5_cpu" / "none-seed0" / "checkpoints").mkdir(parents=True)
    (runs / "c5_cpu" / "none-seed0" / "checkpoints" / "last.ckpt").write_text("weights")
    (runs / "c5_cpu" / "none-seed0" / "record.json").write_text("{}")
    copied = ship(runs, tmp_path / "records")
    names = sorted(str(p.relative_to(tmp_path / "records")) for p in copied)
    assert names == sorted([*(f"c5_cpu/{n}" for n in SHIPPED), "c5_cpu/none-seed0/record.json"])


def test_without_cifar10_it_refuses_clearly(monkeypatch, capsys):
    monkeypatch.delenv("CIFAR10", raising=False)
    assert main() == 2
    assert MISSING in capsys.readouterr().err


def test_shipped_files_name_no_folder_of_the_machine_that_ran_them(tmp_path):
    runs, data = tmp_path / "runs", tmp_path / "data" / "cifar10"
    (runs / "c2_cpu" / "lrn-seed0").mkdir(parents=True)
    (runs / "c2_cpu" / "lrn-seed0" / "record.json").write_text(
        f'{{"output_dir": "{runs.resolve()}/c2_cpu/lrn-seed0", "root": "{data}"}}'
    )
    (copied,) = ship(runs, tmp_path / "records", str(data))
    text = copied.read_text()
    assert str(tmp_path) not in text
    assert text == '{"output_dir": "runs/c2_cpu/lrn-seed0", "root": "$CIFAR10"}'
