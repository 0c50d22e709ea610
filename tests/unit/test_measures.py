"""train_eval: a run measures its eval-mode training error only where its claim is judged on it."""

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.data import SyntheticDataModule
from alexnet_lab.errors import UserError
from alexnet_lab.results.verdict.claims import CLAIMS
from alexnet_lab.results.verdict.metrics import FINAL_TRAIN_EVAL_ERROR, TRAIN_VAL_GAP
from alexnet_lab.run.measures import JUDGED_WITHOUT_TRAIN_EVAL, measures_train_eval

ON_TRAIN_EVAL = {TRAIN_VAL_GAP.name, FINAL_TRAIN_EVAL_ERROR.name}


def test_the_claims_that_skip_it_are_those_judged_without_it():
    for claim_id, claim in CLAIMS.items():
        judged_on = {claim.metric.name, *(part.metric.name for part in claim.parts)}
        needs = bool(judged_on & ON_TRAIN_EVAL)
        assert needs == (claim_id not in JUDGED_WITHOUT_TRAIN_EVAL), claim_id
    assert {"C4", "C5"}.isdisjoint(JUDGED_WITHOUT_TRAIN_EVAL)


@pytest.mark.parametrize(
    ("claim", "choice", "measured"),
    [
        (None, None, True),  # a plain sweep: its claim is known only at report time
        ("C4", None, True),
        ("C5", None, True),
        ("C1", None, False),
        ("C2", None, False),
        ("C1", True, True),
        ("C5", False, False),
    ],
)
def test_auto_follows_the_claim_and_true_or_false_decide(claim, choice, measured):
    cfg = OmegaConf.create({"claim": claim, "train_eval": choice})
    assert measures_train_eval(cfg) is measured


def test_a_word_is_refused_with_the_choices():
    with pytest.raises(UserError, match="train_eval='sometimes' is not a choice"):
        measures_train_eval(OmegaConf.create({"claim": None, "train_eval": "sometimes"}))


def test_the_experiments_say_it_through_their_claim():
    def composed(*overrides):
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return compose("config", overrides=list(overrides))

    assert not measures_train_eval(composed("experiment=relu_vs_tanh"))
    assert not measures_train_eval(composed("experiment=lrn"))
    assert measures_train_eval(composed("experiment=cpu/dropout"))
    assert measures_train_eval(composed("experiment=cpu/augmentation"))
    assert measures_train_eval(composed())  # no experiment: measured
    assert measures_train_eval(composed("experiment=relu_vs_tanh", "train_eval=true"))


def test_a_run_that_does_not_measure_it_validates_on_one_loader():
    def loaders(train_eval):
        dm = SyntheticDataModule(
            name="synthetic", train_size=64, val_size=32, train_eval=train_eval
        )
        dm.prepare_data()
        dm.setup("fit")
        return dm.val_dataloader()

    assert len(loaders(True)) == 2
    assert len(loaders(False)) == 1


@pytest.mark.parametrize("claim", ["C1", "C4"])
def test_the_record_has_it_exactly_where_it_was_measured(tmp_path, claim):
    from alexnet_lab.engines.lightning.train import train

    overrides = [
        "data=synthetic",
        "data.train_size=64",
        "data.val_size=32",
        "data.batch_size=32",
        "trainer=cpu",
        "trainer.max_epochs=1",
        "trainer.enable_progress_bar=false",
        "callbacks=none",
        "logger=none",
    ]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=[*overrides, f"claim={claim}"])
    record = train(cfg, tmp_path / claim)
    (row,) = record.history
    assert ("train_eval_error" in row) is (claim == "C4")
    assert "val_error" in row and "train_error" in row


def test_every_cpu_protocol_records_the_clean_training_error():
    for path in sorted((CONFIG_DIR / "experiment" / "cpu").glob("*.yaml")):
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("config", overrides=[f"experiment=cpu/{path.stem}"])
        assert measures_train_eval(cfg), path.stem
