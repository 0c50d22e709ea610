"""The real CLI on hostile input: folder names that look like markup or interpolations, files
where folders belong, seeds numpy rejects. Each is a result or one paragraph, never a traceback."""

import shlex
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
TINY = [
    "data=synthetic",
    "data.train_size=64",
    "data.val_size=32",
    "trainer.max_epochs=1",
    "callbacks=none",
    "trainer.enable_progress_bar=false",
]


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def test_a_sweep_into_a_folder_named_like_markup_reports_and_prints_it(run_cli, tmp_path):
    folder = tmp_path / "a[/b]c[x]"
    result = run_cli("-m", *TINY, "seed=0,1", f"hydra.sweep.dir='{folder}'")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (folder / "summary.json").is_file() and (folder / "report.md").is_file()
    assert f"report: {folder / 'report.md'}" in result.stdout
    # the printed `wandb sync` command names the real folder once the shell has read it
    (line,) = [ln for ln in result.stdout.splitlines() if "upload with: wandb sync" in ln]
    synced = shlex.split(line.split("upload with: ", 1)[1])[2:]
    assert synced and all(Path(p).is_dir() for p in synced)


@pytest.mark.parametrize(
    "overrides,named",
    [
        (["-m", "hydra.sweep.dir='d\\${x}'"], "containing `${`"),
        (["-m", "hydra.sweep.dir=file"], "file is a file, not a folder"),
        (["hydra.run.dir=file/sub"], "so file/sub cannot be created below it"),
        (["seed=-1"], "seed=-1 is out of range"),
        (["seed=4294967296"], "seed=4294967296 is out of range"),
        (["logger.wandb.project=my/team/proj"], "is not a valid W&B project name"),
        (["WANDB_MODE=offlin"], "WANDB_MODE='offlin' is not a W&B mode"),
        (["WANDB_MODE=online"], "needs a W&B API key"),
        (["optim.lrr=0.1"], "the config has no key 'optim.lrr'. Did you mean optim.lr=0.1?"),
    ],
)
def test_a_bad_folder_seed_or_wandb_setting_is_one_paragraph_exit_2_and_leaves_nothing(
    run_cli, tmp_path, overrides, named
):
    (tmp_path / "file").write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    env = dict(o.split("=", 1) for o in overrides if o.startswith("WANDB_"))
    overrides = [o for o in overrides if not o.startswith("WANDB_")]
    run_dir = [] if any(o.startswith("hydra.run.dir") for o in overrides) else ["hydra.run.dir=run"]
    flags = [o for o in overrides if o == "-m"]  # Hydra's flags come before the overrides
    overrides = [o for o in overrides if o != "-m"]
    env |= {"NETRC": str(tmp_path / "none")}
    result = run_cli(*flags, *TINY, *run_dir, *overrides, env=env)
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and named in flat(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "file").read_text() == "x"
