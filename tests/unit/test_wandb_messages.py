"""W&B's own answers passed on as such: a rejected key, a disabled run (no network needed)."""

from __future__ import annotations

import pytest


@pytest.fixture
def wandb_here(tmp_path, monkeypatch):
    """W&B writes below ``tmp_path`` only, silently."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    yield tmp_path
    import wandb

    wandb.teardown()  # W&B keeps its settings (the key) per process: none for the next test


def test_a_key_wandb_rejects_is_wandbs_refusal_not_a_timeout(wandb_here, monkeypatch):
    from alexnet_lab.tracking.loggers import wandb_logger
    from alexnet_lab.tracking.wandb_settings import WandbStartError

    monkeypatch.setenv("WANDB_MODE", "online")
    monkeypatch.setenv("WANDB_API_KEY", "abcde")  # W&B refuses it itself, at once
    logger = wandb_logger(project="alexnet-lab-test", save_dir=str(wandb_here), init_timeout=30)
    with pytest.raises(WandbStartError) as info:
        logger.experiment  # noqa: B018 (starting the run is the point)
    message = " ".join(str(info.value).split())
    assert "W&B refused to start this run (AuthenticationError" in message
    assert "within 30 s" not in message and "WANDB_API_KEY" in message


def test_a_disabled_run_says_disabled_and_names_no_folder(wandb_here, monkeypatch):
    import wandb

    from alexnet_lab.tracking.loggers import finish_wandb

    monkeypatch.setenv("WANDB_MODE", "disabled")
    wandb.init(project="alexnet-lab-test", dir=str(wandb_here))
    assert finish_wandb(0) == {"mode": "disabled"}
