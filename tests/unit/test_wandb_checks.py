"""W&B's mode, project name and key are checked before any data loads; its start is bounded;
the summary run's artifact name fits W&B's 128 characters."""

import time

import pytest
from omegaconf import OmegaConf

from alexnet_lab.results.formats.wandb_summary import artifact_name
from alexnet_lab.tracking.wandb_settings import WandbSettingsError, check_wandb, wandb_modes


def cfg(project: str = "alexnet-lab", logger: str = "wandb"):
    entry = {"_target_": "alexnet_lab.tracking.loggers.wandb_logger", "project": project}
    return OmegaConf.create({"logger": {logger: entry}})


@pytest.fixture
def no_key(monkeypatch, tmp_path):
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


def problem(config) -> str:
    with pytest.raises(WandbSettingsError) as caught:
        check_wandb(config)
    message = str(caught.value)
    assert "\n" not in message and "Nothing was trained" in message
    return message


def test_the_modes_are_w_and_b_own(monkeypatch):
    assert {"online", "offline", "disabled", "dryrun"} <= set(wandb_modes())


def test_a_mistyped_mode_lists_the_valid_ones(monkeypatch, no_key):
    monkeypatch.setenv("WANDB_MODE", "offlin")
    message = problem(cfg())
    assert message.startswith("WANDB_MODE='offlin' is not a W&B mode: it must be one of online,")
    assert "set WANDB_MODE=offline" in message and "logger=none" in message
    check_wandb(cfg(logger="csv"))  # no W&B logger: W&B's settings do not matter


@pytest.mark.parametrize("project", ["my/team/proj", "a:b", "p" * 129])
def test_a_project_name_w_and_b_rejects_is_named(monkeypatch, no_key, project):
    monkeypatch.setenv("WANDB_MODE", "offline")
    message = problem(cfg(project))
    assert message.startswith(f"logger.wandb.project={project!r} is not a valid W&B project")
    assert "logger.wandb.entity=TEAM" in message


def test_online_without_a_key_says_how_to_log_in_or_go_offline(monkeypatch, no_key):
    monkeypatch.setenv("WANDB_MODE", "online")
    message = problem(cfg())
    assert "needs a W&B API key" in message and "`wandb login`" in message
    assert "WANDB_MODE=offline" in message
    monkeypatch.setenv("WANDB_API_KEY", "k" * 40)
    check_wandb(cfg())
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.delenv("WANDB_API_KEY")
    check_wandb(cfg())


def test_a_long_group_gets_a_short_stable_artifact_name():
    long_a, long_b = "sweep-" + "a" * 222, "sweep-" + "a" * 221 + "b"
    name = artifact_name(long_a)
    assert len(name) == 128 and name == artifact_name(long_a)
    assert name.startswith("report-sweep-aaa") and name != artifact_name(long_b)
    assert len(artifact_name(long_b)) == 128
    assert artifact_name("C1-12-00 x") == "report-C1-12-00_x"  # short names as before


@pytest.mark.slow
def test_an_online_start_that_gets_no_answer_is_bounded(monkeypatch, tmp_path):
    from alexnet_lab.tracking.loggers import wandb_logger
    from alexnet_lab.tracking.wandb_settings import WandbStartError

    monkeypatch.setenv("WANDB_MODE", "online")
    monkeypatch.setenv("WANDB_API_KEY", "k" * 40)
    monkeypatch.setenv("WANDB_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    logger = wandb_logger(save_dir=str(tmp_path), init_timeout=5)
    start = time.monotonic()
    with pytest.raises(WandbStartError) as caught:
        logger.experiment  # noqa: B018 (Lightning starts the W&B run on first use)
    assert time.monotonic() - start < 60
    message = str(caught.value)
    assert message.startswith("W&B did not start this run within 5 s (")
    assert "WANDB_MODE=offline" in message and "logger.wandb.init_timeout=" in message


def test_wandb_tags_are_cut_to_wandbs_64_characters():
    from alexnet_lab.record.run_record import RunRecord
    from alexnet_lab.tracking.loggers import WANDB_TAG_LIMIT, wandb_run_names

    long = (
        "+callbacks.kill.pid_dir=/tmp/pytest-of-root/pytest-12/test_a_killed_rank_fails_its_j0/pids"
    )
    names = wandb_run_names(RunRecord(overrides=["seed=0", long], claim="C1"), "sweep")
    assert WANDB_TAG_LIMIT == 64 and names["tags"][0] == "C1"
    assert names["tags"][1:] == ["seed=0", long[:64]]
    assert all(1 <= len(tag) <= 64 for tag in names["tags"])
