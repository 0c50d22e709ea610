"""`alexnet-lab --help` (the app's own, naming every experiment) and unknown options' hints."""

import os
import re
import subprocess
import sys

import yaml

from alexnet_lab.suggest import unknown_option
from tests.conftest import ROOT

HELP = ROOT / "conf" / "hydra" / "help" / "alexnet_lab.yaml"
EXPERIMENTS = sorted(p.stem for p in (ROOT / "conf" / "experiment").glob("*.yaml"))


def listed_experiments() -> dict[str, str]:
    """The help template's experiment lines: name -> claim id."""
    template = yaml.safe_load(HELP.read_text())["template"]
    return dict(re.findall(r"^  (\w+) +(C\d) ", template, flags=re.MULTILINE))


def test_the_help_lists_every_experiment_with_the_claim_its_file_states():
    listed = listed_experiments()
    assert sorted(listed) == EXPERIMENTS
    for name, claim in listed.items():
        header = (ROOT / "conf" / "experiment" / f"{name}.yaml").read_text().splitlines()[1]
        assert header.startswith(f"# {claim} "), (name, header)


def test_help_is_the_apps_own():
    result = subprocess.run(
        [sys.executable, "-m", "alexnet_lab", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert out.startswith("alexnet-lab: reproduce the AlexNet paper")
    assert "powered by Hydra" not in out
    assert all(f"  {name} " in out for name in EXPERIMENTS)
    assert "activation: gelu, relu, sigmoid, tanh" in out  # Hydra's $APP_CONFIG_GROUPS
    assert out.count("  alexnet-lab ") == 3  # the examples
    assert "  auto     the default" in out and "  basic  one job after another" in out
    assert "  parallel one worker process per GPU" in out
    assert len(out.splitlines()) < 60


def test_an_unknown_option_names_the_closest_valid_one():
    conf = ROOT / "conf"
    problem = unknown_option(["-m", "activation=relu,tahn", "optim.lr=0.1"], conf)
    assert problem and "Did you mean activation=tanh?" in problem
    assert "Valid options: gelu, relu, sigmoid, tanh" in problem
    assert "Did you mean" not in (unknown_option(["pooling=zzz"], conf) or "Did you mean")
    for fine in (["activation=relu", "+experiment=lrn", "data.scale=raw"], ["model=null"]):
        assert unknown_option(fine, conf) is None
    assert unknown_option(["--config-dir=mine", "activation=mine"], conf) is None
    result = subprocess.run(
        [sys.executable, "-m", "alexnet_lab", "activation=relux", "logger=none"],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "250"},  # the paragraph on one line
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Did you mean activation=relu?" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr and result.stdout == ""
