"""Config values are checked at a job's start: type and range, one paragraph naming the key."""

import pytest
from hydra import compose, initialize_config_dir

from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.run.validation import ConfigValueError, validate

EXPERIMENTS = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))


def composed(*overrides):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("config", overrides=list(overrides))


@pytest.mark.parametrize("experiment", [None, *EXPERIMENTS])
def test_the_shipped_configs_are_valid(experiment):
    validate(composed(*([f"experiment={experiment}"] if experiment else [])))


@pytest.mark.parametrize(
    "override,shown,valid_range",
    [
        ("trainer.max_epochs=abc", "trainer.max_epochs='abc'", "a whole number >= 1"),
        ("trainer.max_epochs=0", "trainer.max_epochs=0", "a whole number >= 1"),
        ("trainer.max_epochs=1.5", "trainer.max_epochs=1.5", "a whole number >= 1"),
        ("data.batch_size=0", "data.batch_size=0", "a whole number >= 1"),
        ("data.train_size=0", "data.train_size=0", "null (all) or a whole number >= 1"),
        ("data.val_size=0", "data.val_size=0", "null (all) or a whole number >= 1"),
        ("optim.lr=-1", "optim.lr=-1", "a number >= 0"),
        ("optim.lr=nan", "optim.lr=nan", "a number >= 0"),
        ("optim.momentum=1", "optim.momentum=1", "a number in [0, 1)"),
        ("optim.weight_decay=-0.1", "optim.weight_decay=-0.1", "a number >= 0"),
        ("dropout.p=1.0", "dropout.p=1.0", "a probability in [0, 1)"),
        ("augmentation.lighting_std=-1", "augmentation.lighting_std=-1", "a number >= 0"),
        ("target_error=1.5", "target_error=1.5", "null or a number in (0, 1)"),
        ("data.target_error=0", "data.target_error=0", "null or a number in (0, 1)"),
        ("seed=x", "seed='x'", "a whole number from 0 to 4294967295"),
        ("seed=true", "seed=True", "a whole number from 0 to 4294967295"),
        ("seed=-1", "seed=-1", "a whole number from 0 to 4294967295"),
        ("seed=4294967296", "seed=4294967296", "a whole number from 0 to 4294967295"),
        ("not_learning_patience=0", "not_learning_patience=0", "a whole number >= 1"),
    ],
)
def test_a_bad_value_names_key_value_and_range(override, shown, valid_range):
    with pytest.raises(ConfigValueError) as caught:
        validate(composed("data=synthetic", override))
    message = str(caught.value)
    assert message.startswith(shown + " is ")
    assert f"it must be {valid_range} (for example" in message
    assert "\n" not in message


def test_null_sizes_and_target_are_valid():
    validate(composed("data=synthetic", "data.train_size=null", "target_error=null"))


def test_every_bad_key_is_named_in_one_paragraph():
    with pytest.raises(ConfigValueError) as caught:
        validate(composed("data=synthetic", "optim.lr=-0.1", "data.batch_size=-2"))
    assert "optim.lr=-0.1 " in str(caught.value) and "data.batch_size=-2 " in str(caught.value)
