"""Ctrl-C or SIGTERM at every moment is the interrupted paragraph, with its exit code.

Before a parallel launcher's workers exist, while they start, during the stacked launcher's
setup, during a standalone ``alexnet-lab-report``: each is driven in-process here, the
interrupt raised where it would arrive, in ``tmp_path``.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from omegaconf import OmegaConf

from alexnet_lab.console import say_end
from alexnet_lab.errors import CommandEnd, Terminated


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def sweep_config(tmp_path):
    return OmegaConf.create(
        {
            "hydra": {
                "sweep": {"dir": str(tmp_path / "sweep")},
                "hydra_logging": None,
                "verbose": False,
            }
        }
    )


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_while_the_workers_start_stops_the_pool(tmp_path, monkeypatch):
    from alexnet_lab.parallel.devices import Slot
    from alexnet_lab.parallel.pool import Hooks, Pool

    monkeypatch.setattr(Pool, "_start", interrupt)
    progress = SimpleNamespace(tick=lambda: None)
    hooks = Hooks(lambda c: None, lambda c, r: None, lambda c, r: None)
    pool = Pool([Slot(0, None, (0,))], lambda log: None, tmp_path, hooks, progress)
    assert pool.run([]) == {}
    assert pool.stop is not None and pool.stop.interrupted and pool.stop.code == 130


@pytest.mark.parametrize("where", ["config", "gpus"])
def test_ctrl_c_while_the_parallel_launcher_sets_up(tmp_path, monkeypatch, capsys, where):
    from alexnet_lab.parallel import devices
    from hydra_plugins.alexnet_lab_parallel_launcher import parallel_launcher
    from hydra_plugins.alexnet_lab_parallel_launcher.parallel_launcher import ParallelLauncher

    monkeypatch.setattr(parallel_launcher, "configure_log", lambda *a: None)  # not this process's
    launcher = ParallelLauncher()
    launcher.config = sweep_config(tmp_path)
    if where == "gpus":  # torch loads here
        monkeypatch.setattr(devices, "visible_gpus", interrupt)
        loader = SimpleNamespace(load_sweep_config=lambda c, o: OmegaConf.create({"trainer": {}}))
        monkeypatch.setattr("alexnet_lab.parallel.units.is_ddp", lambda trainer: False)
    else:
        loader = SimpleNamespace(load_sweep_config=interrupt)
    launcher.hydra_context = SimpleNamespace(config_loader=loader)  # type: ignore[assignment]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandEnd) as exit_:
        launcher.launch([["seed=1"], ["seed=2"]], 0)
    say_end(exit_.value)  # what the command's entry point prints
    err = flat(capsys.readouterr().err)
    assert exit_.value.code == 130
    assert "interrupted" in err and "resume=true" in err and "Traceback" not in err


def test_ctrl_c_during_the_stacked_launchers_setup(tmp_path, monkeypatch, capsys):
    from alexnet_lab.engines.stacked import grouping
    from alexnet_lab.sweep import stacked_sweep
    from alexnet_lab.sweep.stacked_sweep import StackedSweep

    monkeypatch.setattr(stacked_sweep, "configure_log", lambda *a: None)  # not this process's
    stacked = StackedSweep(stack="always")
    stacked.config = sweep_config(tmp_path)
    monkeypatch.setattr(grouping, "group_jobs", interrupt)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandEnd) as exit_:
        stacked.launch([["seed=1"], ["seed=2"]], 0)
    say_end(exit_.value)  # what the command's entry point prints
    err = flat(capsys.readouterr().err)
    assert exit_.value.code == 130 and "interrupted" in err and "resume=true" in err


@pytest.mark.parametrize(("signal", "code"), [(KeyboardInterrupt, 130), (Terminated, 143)])
def test_an_interrupted_standalone_report_removes_its_partial_files(
    tmp_path, monkeypatch, capsys, signal, code
):
    from alexnet_lab.results import sweep_report
    from alexnet_lab.results.report import main as report_main

    sweep = tmp_path / "sweep"
    (sweep / "0").mkdir(parents=True)
    (sweep / "0" / "record.json").write_text("{}")

    def cut(folder, quiet=False):
        (sweep / ".curves.abc.partial.png").write_bytes(b"\x89PNG")
        raise signal("stopped")

    monkeypatch.setattr(sweep_report, "build_report", cut)
    with pytest.raises(SystemExit) as exit_:
        report_main([str(sweep)])
    err = flat(capsys.readouterr().err)
    assert exit_.value.code == code
    # a long path (pytest-xdist's folders) may wrap inside the panel: compare it unwrapped
    assert "report interrupted" in err and f"alexnet-lab-report{sweep}" in "".join(err.split())
    assert sorted(p.name for p in sweep.iterdir()) == ["0"]
