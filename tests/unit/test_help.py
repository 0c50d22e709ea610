"""`alexnet-lab --help`: the app's own help, naming every experiment, not Hydra's default."""

import re
import subprocess
import sys

import yaml

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
    assert len(out.splitlines()) < 60
