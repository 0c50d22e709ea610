"""``train()`` runs outside any Hydra job: a composed config and a folder give a record."""

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig

from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.engines.lightning.train import train
from alexnet_lab.errors import DivergedError
from alexnet_lab.run.context import JobContext
from tests.records import load_record

TINY = [
    "data=synthetic",
    "data.train_size=64",
    "data.val_size=32",
    "data.batch_size=32",
    "trainer=cpu",
    "trainer.max_epochs=1",
    "trainer.enable_progress_bar=false",
    "callbacks=none",
]


def composed(*overrides: str):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("config", overrides=list(overrides))


def test_train_without_the_cli_leaves_a_completed_record_and_checkpoints(tmp_path: Path):
    cfg = composed(*TINY, "logger=none")
    assert not HydraConfig.initialized()  # no Hydra job around this run
    record = train(cfg, tmp_path / "run")

    assert not HydraConfig.initialized()
    saved = load_record(tmp_path / "run")
    assert saved.status == record.status == "completed"
    assert [row["epoch"] for row in saved.history] == [1]
    assert 0.0 <= saved.history[0]["train_error"] <= 1.0
    assert "val_error" in saved.history[0]
    assert saved.final["test"]["tta"] == "center"
    assert saved.settings["data"] == "synthetic" and saved.settings["max_epochs"] == 1
    assert saved.choices == {} and saved.overrides == []
    assert (tmp_path / "run" / "checkpoints" / "last.ckpt").is_file()
    assert (tmp_path / "run" / "checkpoints" / "best.ckpt").is_file()


def test_a_run_with_checkpointing_off_completes_and_writes_no_checkpoints(tmp_path: Path):
    record = train(composed(*TINY, "logger=none", "trainer.enable_checkpointing=false"), tmp_path)

    assert record.status == "completed" and len(record.history) == 1
    assert not (tmp_path / "checkpoints").exists()


def test_a_diverging_run_names_its_first_non_finite_step_though_it_is_read_later(tmp_path: Path):
    # 20 steps an epoch: the loss is read at step 16, and names step 2, where it became nan
    tiny = [o for o in TINY if not o.startswith("data.batch_size")]
    cfg = composed(
        *tiny, "logger=none", "data.train_size=200", "data.batch_size=10", "optim.lr=1e30"
    )
    with pytest.raises(DivergedError, match=r"became nan at epoch 1, step 2 "):
        train(cfg, tmp_path)
    assert not (tmp_path / "checkpoints" / "last.ckpt").exists()  # no weights of nan saved


def test_train_takes_what_hydra_would_know_from_a_job_context(tmp_path: Path):
    overrides = (*TINY, "activation=tanh", "logger=csv")
    cfg = composed(*overrides)
    context = JobContext(overrides=(*overrides, "resume=false"), choices={"activation": "tanh"})
    record = train(cfg, tmp_path, context)

    assert record.overrides == list(overrides)  # resume= is how a job runs, not what it is
    assert record.choices == {"activation": "tanh"}
    assert record.settings["activation"] == "tanh"
    # a logger with save_dir null writes into the run's folder, no Hydra resolver needed
    assert (tmp_path / "csv").is_dir()
    assert record.config["logger"]["csv"]["save_dir"] is None


def test_stop_at_target_ends_a_run_at_the_epoch_it_reached_the_target(tmp_path: Path):
    # an easy target (any error below 100%) is reached in epoch 1 of a 3-epoch budget
    tiny = [o for o in TINY if not o.startswith("trainer.max_epochs")]
    cfg = composed(*tiny, "trainer.max_epochs=3", "target_error=0.999", "logger=none",
                   "stop_at_target=true")  # fmt: skip
    record = train(cfg, tmp_path / "stopped")
    assert record.status == "completed" and record.stopped_at_target
    assert record.epochs_to_target == 1 and [row["epoch"] for row in record.history] == [1]
    assert record.max_epochs == 3 and record.final["test"]["top1_error"] is not None
    # off (the default): the whole budget runs
    cfg = composed(*tiny, "trainer.max_epochs=2", "target_error=0.999", "logger=none")
    record = train(cfg, tmp_path / "full")
    assert not record.stopped_at_target and len(record.history) == 2
