"""Every value is checked before anything is written: one paragraph, exit 2, no folder.

The command-line cases run ``alexnet-lab``'s ``main`` in-process in ``tmp_path`` (they all stop
before Hydra runs, so no torch loads); the config values are checked on composed configs.
"""

from __future__ import annotations

import signal
import sys

import pytest
from hydra import compose, initialize_config_dir

from alexnet_lab.configs import CONFIG_DIR
from alexnet_lab.run.validation import ConfigValueError, validate


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run the CLI's main with these arguments in an empty folder: (exit code, stderr)."""
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "cd").mkdir()
    (tmp_path / "cd" / "bad.yaml").write_text("foo: [1, 2\n")
    monkeypatch.chdir(work)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)

    def run(*args: str) -> tuple[int, str]:
        from alexnet_lab.cli import main

        monkeypatch.setattr(sys, "argv", ["alexnet-lab", *args])
        try:
            with pytest.raises(SystemExit) as exit_:
                main()
        finally:
            signal.signal(signal.SIGINT, handlers[0])
            signal.signal(signal.SIGTERM, handlers[1])
        assert not any(work.iterdir()), sorted(p.name for p in work.rglob("*"))
        return exit_.value.code, flat(capsys.readouterr().err)

    return run


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--config-dir", "../cd", "--config-name", "bad"], "a config file is not valid YAML"),
        (["--config-dir", "../cd", "activation=relux"], "Did you mean activation=relu?"),
        (["--config-dir", "../nowhere"], "does not exist"),
        (["-m", "hydra/launcher=paralel", "seed=1,2"], "Did you mean hydra/launcher=parallel?"),
        (
            ["-m", "hydra/launcher=parallel", "hydra.launcher.workers=abc", "seed=1,2"],
            "could not be converted to Integer",
        ),
        (
            ["-m", "hydra/launcher=parallel", "hydra.launcher.workers=0", "seed=1,2"],
            "hydra.launcher.workers=0: it must be null or a whole number >= 1",
        ),
        (
            ["-m", "hydra/launcher=parallel", "hydra.launcher.stack=sometimes", "seed=1,2"],
            "hydra.launcher.stack='sometimes' is not a choice",
        ),
        (
            ["-m", "hydra/launcher=stacked", "hydra.launcher.stack=sometimes", "seed=1,2"],
            "hydra.launcher.stack='sometimes' is not a choice",
        ),
    ],
)
def test_a_command_that_cannot_start_is_one_paragraph_and_writes_nothing(cli, args, said):
    code, err = cli(*args)
    assert code == 2 and said in err and "Nothing was written" in err
    assert "Traceback" not in err and "HYDRA_FULL_ERROR" not in err


def composed(*overrides: str):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("config", overrides=list(overrides))


@pytest.mark.parametrize(
    ("overrides", "said"),
    [
        (["data.num_workers=-1"], "data.num_workers=-1 is out of range"),
        (["data=synthetic", "data.num_classes=0"], "data.num_classes=0 is out of range"),
        (["optim.lr=${oops}"], "optim.lr=${oops} does not resolve"),
        (["data.target_error=${nowhere.x}"], "does not resolve"),
    ],
)
def test_a_bad_value_is_named_before_any_data_loads(overrides, said):
    with pytest.raises(ConfigValueError) as info:  # a sweep's job: recorded failed, sweep goes on
        validate(composed(*overrides))
    assert said in str(info.value)


def test_images_too_small_for_the_net_are_named_with_the_smallest_size():
    from alexnet_lab.run.input_size import check_input_size

    with pytest.raises(ConfigValueError) as info:
        check_input_size(composed("data=synthetic", "data.image_size=4"))
    message = str(info.value)
    assert "data.image_size=4: model=convnet4 cannot take 4x4 images" in message
    assert "Use data.image_size=8 or larger" in message
    check_input_size(composed("data=synthetic", "data.image_size=8"))  # the smallest: accepted
    check_input_size(composed("data=synthetic"))


def test_a_crop_larger_than_the_images_is_named_before_any_data_loads():
    from alexnet_lab.run.input_size import check_input_size

    cfg = composed("data=synthetic", "augmentation=crop_flip", "data.crop_size=64")
    with pytest.raises(ConfigValueError, match="augmentation.crop=64 .* larger than the images"):
        check_input_size(cfg)


def test_an_option_given_twice_is_said_and_the_last_counts(cli, monkeypatch):
    import alexnet_lab.cli

    def hydra_runs() -> None:  # where Hydra would run the command (with seed=2)
        raise SystemExit(0)

    monkeypatch.setattr(alexnet_lab.cli, "hydra_main", hydra_runs)
    code, err = cli("seed=1", "seed=2")
    assert code == 0
    assert "seed=1 and seed=2: seed is given twice, and only the last counts (seed=2)" in err
    assert "alexnet-lab -m seed=1,2" in err
