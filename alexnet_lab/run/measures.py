"""Whether a run measures its eval-mode training error each epoch (``train_eval_error``).

The overfitting gap of C4 and C5 is the validation error minus the training error of the same
weights seen the same way (eval mode, the centre view: :mod:`alexnet_lab.data.train_eval`).
Measuring it costs an evaluation pass over up to 10,000 training images every epoch: about a
quarter of a small run's time (the main job's 6,000 images), an eighth of a whole CIFAR-10
epoch. ``train_eval: null`` (auto) measures it unless the run's claim is judged on something
else; ``true`` and ``false`` decide.
"""

from __future__ import annotations

from typing import Any

from alexnet_lab.choices import check_train_eval

#: claims judged on neither the eval-mode training error nor a gap taken on it (speed to a
#: running-error target, test top-1 error, test views): their runs need not measure it.
#: tests/unit/test_measures.py checks this against every claim's metric and parts.
JUDGED_WITHOUT_TRAIN_EVAL = frozenset({"C1", "C2", "C3", "C6", "C7"})


def measures_train_eval(cfg: Any) -> bool:
    """Whether the run measures ``train_eval_error`` each epoch (``train_eval``; null: auto)."""
    choice = check_train_eval(cfg.get("train_eval"))
    if choice is not None:
        return choice
    return cfg.get("claim") not in JUDGED_WITHOUT_TRAIN_EVAL
