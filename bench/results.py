"""The runs behind ``docs/results.md``: Figure 1 (C1) on the whole CIFAR-10, under two inits.

    CIFAR10=/path/to/cifar10-tree nox -s results
    CIFAR10=/path/to/cifar10-tree python bench/results.py

C1 on all 50,000 training images (the 10,000 test images as validation), centred raw 0-255
input, the paper's 25% target, at most 20 epochs with ``stop_at_target=true``, 3 seeds, each
arm with its own lr grid around its optimum (ReLU 0.001-0.01, tanh 0.003-0.3: "the learning
rates for each network were chosen independently"), once with the source's init
(``init=cuda_convnet``) and once with the ImageNet net's (``init=paper``). Each arm is one
command into its init's folder (``runs/c1_cifar10_<init>``, jobs named ``<arm>-lr<lr>-seed<seed>``),
so one comparison holds both; every command carries ``resume=true``, so re-running this script
finishes what an earlier one left and skips what it finished. Then
``alexnet-lab-report --all runs --out docs`` writes the page. ``CIFAR10`` names the unpacked
CIFAR-10 tree (or torchvision's files). About 24 runs of up to 20 epochs per init: hours on a
2-core CPU.
"""

from __future__ import annotations

import os
import subprocess
import sys

MISSING = (
    "CIFAR10 is not set: point it at the unpacked CIFAR-10 tree (root/train/<class>/*.png and "
    "root/test/...) or torchvision's cifar-10-batches-py folder, e.g. "
    "CIFAR10=$HOME/data/cifar10 nox -s results"
)
#: the inits compared, and each arm's lr grid (bracketing its best lr on this data)
INITS = ("cuda_convnet", "paper")
#: (tanh's 0.01 and 0.003 joined when 0.03 beat 0.1 and 0.01 beat 0.03 on the whole data set:
#: its best lr sits lower there than on a 5,000-image sample, where 0.1 was best)
ARMS = (("relu", "0.003,0.01,0.001"), ("tanh", "0.03,0.01,0.003,0.1,0.3"))


def c1_folder(init: str, runs: str = "runs") -> str:
    """The sweep folder of C1 under ``init``."""
    return f"{runs}/c1_cifar10_{init}"


def commands(cifar10: str, runs: str = "runs", docs: str = "docs") -> list[list[str]]:
    """The commands, in order: each init's two arms, then the results page."""
    out = []
    for init in INITS:
        for arm, lrs in ARMS:
            out.append([
                "alexnet-lab", "experiment=relu_vs_tanh", f"data.root={cifar10}",
                "trainer.max_epochs=20", "stop_at_target=true", "seed=0,1,2",
                "trainer.enable_progress_bar=false", "resume=true", f"init={init}",
                f"activation={arm}", f"optim.lr={lrs}", f"hydra.sweep.dir={c1_folder(init, runs)}",
                f"hydra.sweep.subdir={arm}-lr${{optim.lr}}-seed${{seed}}",
            ])  # fmt: skip
    out.append(["alexnet-lab-report", "--all", runs, "--out", docs])
    return out


def main() -> int:
    """Run every command (stop at the first that fails); 2 when CIFAR10 is not set."""
    cifar10 = os.environ.get("CIFAR10")
    if not cifar10:
        print(f"error: {MISSING}", file=sys.stderr)
        return 2
    for command in commands(cifar10):
        print("+ " + " ".join(command), flush=True)
        done = subprocess.run(command)
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
