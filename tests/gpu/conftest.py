"""The device the GPU tests run on: CUDA, or the CPU where ``ALEXNET_LAB_TEST_DEVICE=cpu``.

On a machine without CUDA the tests skip, saying so; ``ALEXNET_LAB_TEST_DEVICE=cpu`` runs the
same tests on the CPU (``bench/gpu_check.py --quick`` does, to prove them before a GPU run).
"""

from __future__ import annotations

import os

import pytest
import torch

#: the environment variable that names the tests' device: cuda (the default) or cpu
DEVICE_ENV = "ALEXNET_LAB_TEST_DEVICE"


@pytest.fixture(scope="session")
def device() -> str:
    """``cuda`` or ``cpu``: the torch device type the tests train on."""
    name = os.environ.get(DEVICE_ENV, "cuda")
    if name not in ("cuda", "cpu"):
        pytest.fail(f"{DEVICE_ENV}={name!r}: use cuda or cpu")
    if name == "cuda" and not torch.cuda.is_available():
        pytest.skip(
            f"no CUDA device: these tests are for a GPU ({DEVICE_ENV}=cpu runs them on the CPU)"
        )
    return name


@pytest.fixture(scope="session")
def accelerator(device: str) -> str:
    """The Lightning accelerator for ``device``: gpu or cpu."""
    return "gpu" if device == "cuda" else "cpu"


@pytest.fixture(scope="session")
def tolerance(device: str) -> float:
    """How far a per-epoch error may differ between two ways of training the same run.

    On the CPU both ways give the same numbers up to float rounding (0.01: a couple of images).
    On CUDA, cuDNN picks its convolution algorithms per shape and some of their backward passes
    sum in a nondeterministic order, and the stack's batched convolutions are other kernels than
    one net's, so two ways drift apart by rounding over the steps: 0.03 of the error.
    """
    return 0.03 if device == "cuda" else 0.01
