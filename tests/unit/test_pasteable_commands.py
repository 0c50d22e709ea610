"""Printed commands can be pasted: quoted for the shell and, in overrides, for Hydra."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import OmegaConf

from alexnet_lab.engines.lightning.ddp import child_argv
from alexnet_lab.overrides import hydra_quote, shell_join
from alexnet_lab.run.resume import resume_command
from alexnet_lab.run.roles import JOB_ENV

NAMES = [
    "plain/folder-1.2",
    "out/ünï dir/运行",
    'it\'s "quoted" & $HOME `x` !',
    "back\\slash\\ at the end\\",
    "a\\'mix\\\\'",
    "null",
    "1e3",
    "x=y,z [a] {b}",
    "run_${now:%H-%M}",
    "a\\${b} ${",
    "$HOME{x}\\\\${y}",
]


def pasted(command: str) -> list[str]:
    """The arguments a shell gives the command, after the program name."""
    script = f'{sys.executable} -c "import json, sys; print(json.dumps(sys.argv[1:]))" '
    tail = command.removeprefix("alexnet-lab ")
    out = subprocess.run(["bash", "-c", script + tail], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def hydra_value(override: str) -> object:
    """The value as the config holds it: parsed by Hydra, then resolved by OmegaConf."""
    value = OverridesParser.create().parse_override(override).value()
    return OmegaConf.create({"v": value}).v


@pytest.mark.parametrize("name", NAMES)
def test_hydra_quote_parses_back_to_the_same_string(name):
    assert hydra_value(f"hydra.run.dir={hydra_quote(name)}") == name


@pytest.mark.parametrize("multirun", [True, False])
def test_the_resume_command_pasted_into_bash_names_the_same_folder(tmp_path, multirun):
    folder = tmp_path / "out" / 'ünï dir\'s "运行" $x\\'
    argv = ["-m", "data=synthetic", "optim.lr=0.001,0.01", "+note='a b'"]
    command = resume_command(argv, folder, multirun)
    args = pasted(command)
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    assert args[:4] == argv and args[4] == "resume=true"
    assert args[5].startswith(f"{key}=") and Path(str(hydra_value(args[5]))) == folder


def test_plain_commands_stay_plain():
    assert resume_command(["seed=1"], Path("/runs/a"), False) == (
        "alexnet-lab seed=1 resume=true hydra.run.dir=/runs/a"
    )
    assert shell_join(["x", "hydra.run.dir='a b'"]) == "x \"hydra.run.dir='a b'\""


def test_the_ddp_child_gets_its_parent_folder_exactly(monkeypatch):
    folder = "/out/ünï dir's/0"
    monkeypatch.setenv(JOB_ENV, json.dumps({"overrides": ["seed=1"], "output_dir": folder}))
    argv = child_argv("alexnet-lab")
    (run_dir,) = [a for a in argv if a.startswith("hydra.run.dir=")]
    assert hydra_value(run_dir) == folder
