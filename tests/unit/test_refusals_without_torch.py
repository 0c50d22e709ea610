"""A refused command answers before torch loads: a bad value, a used folder, an unknown option.

One fresh process (torch already loaded in pytest's) installs an import guard that refuses and
notes any import of torch, torchvision or Lightning, then runs ``alexnet-lab``'s ``main`` once
per case, each in its own empty folder: the refusal's paragraph, exit status 2, nothing left
behind, and no heavy import tried.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alexnet_lab.folders.lock import LOCK_NAME
from tests.conftest import ROOT

#: runs in the fresh process: argv lists in, one JSON line per case out
GUARDED = """
import contextlib, importlib.abc, io, json, os, sys

HEAVY = {"torch", "torchvision", "lightning", "pytorch_lightning", "lightning_fabric"}
tried = []


class Guard(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HEAVY:
            tried.append(name)
            raise ImportError(f"guarded: {name}")
        return None


sys.meta_path.insert(0, Guard())
from alexnet_lab.cli import main

for folder, args in json.loads(sys.argv[1]):
    os.chdir(folder)
    sys.argv = ["alexnet-lab", *args]
    err = io.StringIO()
    code = 0
    with contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exc:
            code = exc.code
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
    print(json.dumps({"code": code, "err": err.getvalue(), "tried": tried, "loaded": heavy}))
"""

#: (name, arguments, what the paragraph says)
CASES = [
    ("unknown option", ["model=nosuch"], "the model group has no option 'nosuch'"),
    ("unknown key", ["nosuchkey=3"], "the config has no key 'nosuchkey'"),
    ("wrong type", ["trainer.max_epochs=abc"], "trainer.max_epochs='abc' is not a number"),
    (
        "init without a source",
        ["model=alexnet", "init=cuda_convnet"],
        "init=cuda_convnet does not apply to model=alexnet",
    ),
    (
        "switch the model lacks",
        ["data=synthetic", "model=convnet4", "towers=two"],
        "`towers` is not a switch of model=convnet4",
    ),
    ("used run folder", ["hydra.run.dir=used"], "already holds 1 run record (1 completed)"),
    (
        "used sweep folder",
        ["-m", "hydra.sweep.dir=used", "seed=0,1"],
        "already holds 1 run record (1 completed)",
    ),
]


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def test_every_refusal_answers_without_importing_torch(tmp_path: Path):
    runs = []
    for i, (_, args, _) in enumerate(CASES):
        folder = tmp_path / f"case{i}"
        (folder / "used").mkdir(parents=True)
        (folder / "used" / "record.json").write_text('{"status": "completed"}')
        runs.append((str(folder), args))
    env = {
        **os.environ,
        "WANDB_MODE": "offline",
        "COLUMNS": "200",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-c", GUARDED, json.dumps(runs)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(CASES), done.stdout + done.stderr
    for (name, _, said), result, (folder, _) in zip(CASES, results, runs, strict=True):
        assert said in flat(result["err"]), (name, result["err"])
        assert result["code"] == 2, (name, result)
        assert result["tried"] == [] and result["loaded"] == [], (name, result)
        # the folder's lock goes when the process ends (this one runs every case)
        left = sorted(
            p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if p.name != LOCK_NAME
        )
        assert left == ["used", "used/record.json"], (name, left)
