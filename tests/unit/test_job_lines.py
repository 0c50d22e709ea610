"""A job's line names what varies between the sweep's jobs, and says when a job did not start."""

import pytest

from alexnet_lab.console import run_line
from alexnet_lab.overrides import basic_sweep_jobs, shown_overrides, varying_keys
from alexnet_lab.record.files import RunRecord


def test_the_keys_a_sweep_varies_come_from_the_command_line_and_the_experiment():
    command = ["-m", "pooling=overlap,nonoverlap", "data=synthetic", "seed=range(0,3)", "x=1"]
    assert varying_keys(command, {}) == {"pooling", "seed"}
    params = {"activation": "relu,tanh", "optim.lr": "0.001,0.01", "seed": "0,1,2"}
    # the command line wins: one lr is no longer a sweep, seeds 0,1 still are
    assert varying_keys(["optim.lr=0.01", "seed=0,1"], params) == {"activation", "seed"}
    assert varying_keys(["+extra=a,b", "--config-dir=mine"], {}) == {"extra"}
    assert varying_keys(["bad=[unclosed"], {}) is None


def test_outside_a_hydra_sweep_every_override_is_named():
    overrides = ["activation=relu", "data=synthetic"]
    assert shown_overrides(overrides) == overrides


def test_a_job_refused_before_its_first_epoch_did_not_start_and_a_crash_is_a_failure():
    refused = RunRecord(status="failed", error="CIFAR-10 is not in data", overrides=["seed=0"])
    assert run_line(refused) == "seed=0 | did not start"
    crashed = RunRecord(status="failed", error="RuntimeError: x", overrides=["seed=0"])
    crashed.traceback = "Traceback ..."
    assert run_line(crashed).startswith("seed=0 | failed | epochs 0")
    done = RunRecord(status="completed", overrides=[], history=[{"train_error": 0.5}])
    assert run_line(done).startswith("(defaults) | completed | epochs 1")


def test_sweep_values_take_the_command_over_the_experiment():
    from alexnet_lab.overrides import sweep_values

    params = {"seed": "0,1,2", "optim.lr": "0.01,0.1"}
    values = sweep_values(["seed=0,1", "trainer.max_epochs=12"], params)
    assert values == {"seed": ["0", "1"], "optim.lr": ["0.01", "0.1"], "trainer.max_epochs": ["12"]}
    assert sweep_values(["seed=0,,"], {}) is None  # unreadable


@pytest.mark.parametrize(
    ("task", "params"),
    [
        (["seed=0,1", "optim.lr=0.01,0.1"], {"activation": "relu,tanh"}),
        (["activation=tanh", "+extra=a,b"], {"activation": "relu,tanh", "seed": "0,1,2"}),
        (["seed=range(3)", "data=synthetic"], {}),
        (["optim.lr=0.01"], {}),
    ],
)
def test_the_basic_sweepers_jobs_are_listed_as_hydra_lists_them(task, params):
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper  # what it must equal
    from hydra.core.override_parser.overrides_parser import OverridesParser

    given = [*(f"{k}={v}" for k, v in params.items()), *task]
    (hydras,) = BasicSweeper.split_arguments(OverridesParser.create().parse_overrides(given), None)
    assert basic_sweep_jobs(task, params) == hydras and hydras


def test_a_grid_that_cannot_be_listed_is_none():
    assert basic_sweep_jobs(["optim.lr=interval(0.01,0.1)"], {}) is None
    assert basic_sweep_jobs(["bad=[unclosed"], {}) is None
