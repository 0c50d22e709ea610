"""`alexnet-lab --help` (the app's own, naming every experiment) and unknown options' hints."""

import os
import re
import subprocess
import sys

import pytest
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
    examples = out[out.index("== Examples") : out.index("== Launchers")].splitlines()[1:]
    commands = [line for line in examples if line.startswith("  alexnet-lab ")]
    assert len(commands) == 4
    for line in examples:  # each command is followed by what it does and what it costs
        if line.startswith("  alexnet-lab "):
            cost = examples[examples.index(line) + 1]
            assert cost.startswith("      ") and re.search(r"\((\S+ )?\d.* (min|hours)", cost), cost
    launchers = out[out.index("== Launchers") :].splitlines()[1:6]
    names = ["auto", "stacked", "basic", "parallel", "slurm"]
    assert [line.split()[0] for line in launchers] == names
    assert all(len(line) <= 100 for line in launchers)  # one launcher per line, no second column
    assert "  parallel one worker process per GPU" in out
    assert len(out.splitlines()) < 60


def test_a_bare_help_is_hydras_help_without_hydra_and_without_torch():
    """``--help`` alone is rendered from the template (fast); Hydra renders the same text."""
    run = [sys.executable, "-m", "alexnet_lab"]
    fast = subprocess.run([*run, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    hydra = subprocess.run(
        [*run, "--help", "seed=0"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert fast.returncode == hydra.returncode == 0
    assert fast.stdout == hydra.stdout and "activation: gelu, relu" in fast.stdout
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, alexnet_lab.cli; print(sorted({'torch', "
         "'pytorch_lightning', 'wandb'} & set(sys.modules)))"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert imported.stdout.strip() == "[]", imported.stderr[-2000:]


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


def test_the_report_commands_help_is_plain_text(capsys):
    from alexnet_lab.results.report import main as report_main

    try:
        report_main(["--help"])
    except SystemExit as stop:
        assert stop.code == 0
    out = capsys.readouterr().out
    assert "alexnet-lab-report --all DIR --out PAGE_DIR" in out
    assert "``" not in out and ":mod:" not in out


HEAVY = "{'torch', 'pytorch_lightning', 'wandb'}"


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        (["seed=-1"], "seed=-1 is out of range"),
        (["data.scale=zscore"], "data.scale='zscore' is not an input scale"),
        (["data=synthetic", "tta=ten_crop"], "tta=ten_crop needs crops"),
        (["towers=one"], "`towers` is not a switch of model=convnet4"),
        (["data=synthetic", "data.image_size=4"], "cannot take 4x4 images"),
        (["data=synthetic", "optim.lr=${oops}"], "optim.lr=${oops} does not resolve"),
    ],
)
def test_a_single_runs_bad_value_is_refused_before_lightning_loads(tmp_path, bad, said):
    """The paragraph and exit 2 before Lightning, torchvision and W&B load.

    (torch itself loads: the checks that the init and the switches apply to the model read the
    model registry.)
    """
    job = "{'pytorch_lightning', 'torchvision', 'wandb'}"
    argv = ["alexnet-lab", *bad, "logger=none", "hydra.run.dir=run"]
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: print('loaded', sorted({job} & set(sys.modules))))\n"
        f"sys.argv = {argv!r}\n"
        "from alexnet_lab.cli import main\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert said in " ".join(result.stdout.split() + result.stderr.split())
    assert "loaded []" in result.stdout and not (tmp_path / "run").exists()


def test_a_sweeps_folder_and_resume_checks_need_no_torch():
    """A used or locked sweep folder and a resume that cannot continue exit 2 before torch loads."""
    modules = "alexnet_lab.sweep.hydra_callbacks, alexnet_lab.run.resume, alexnet_lab.folders"
    imported = subprocess.run(
        [sys.executable, "-c", f"import sys, {modules}.used_folder; "
         f"print(sorted({HEAVY} & set(sys.modules)))"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert imported.stdout.strip() == "[]", imported.stderr[-2000:]
