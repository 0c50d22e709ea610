"""Every config group option and every experiment composes (Hydra's compose API)."""

import pytest
import torch
from hydra import compose, initialize_config_dir

from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.models import build_model
from alexnet_lab.results.verdict.claims import CLAIMS

GROUPS = {
    d.name: sorted(p.stem for p in d.glob("*.yaml"))
    for d in CONFIG_DIR.iterdir()
    if d.is_dir() and d.name not in ("hydra", "experiment")
}
EXPERIMENTS = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))


def composed(*overrides, hydra=False):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("config", overrides=list(overrides), return_hydra_config=hydra)


def test_the_defaults_are_the_papers():
    cfg = composed()
    assert cfg.activation.name == "relu" and cfg.norm.name == "lrn"
    assert (cfg.norm.size, cfg.norm.alpha, cfg.norm.beta, cfg.norm.k) == (5, 1e-4, 0.75, 2.0)
    assert (cfg.pooling.kernel_size, cfg.pooling.stride) == (3, 2)
    assert cfg.init.name == "paper" and cfg.init.weight_std == 0.01 and cfg.init.bias_one == 1.0
    assert cfg.data.scale == "raw" and cfg.data.batch_size == 128
    assert (cfg.optim.lr, cfg.optim.momentum, cfg.optim.weight_decay) == (0.01, 0.9, 5e-4)
    assert cfg.optim.schedule == "plateau" and cfg.optim.max_lr_drops == 3
    assert cfg.target_error == 0.25  # CIFAR-10's, from the data config
    assert list(cfg.logger) == ["wandb"]


@pytest.mark.parametrize("group,option", [(g, o) for g, opts in GROUPS.items() for o in opts])
def test_every_group_option_composes(group, option):
    cfg = composed(f"{group}={option}")
    if group in ("model", "activation", "norm", "pooling", "init"):
        size = 227 if cfg.model.name == "alexnet" else 32
        model = build_model(cfg, 3, 10, size)
        assert sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_names_its_claim_and_sweeps_itself(name):
    cfg = composed(f"experiment={name}", hydra=True)
    assert cfg.claim in CLAIMS
    assert str(cfg.hydra.mode) == "RunMode.MULTIRUN"
    params = cfg.hydra.sweeper.params
    if name == "tta":  # one training per seed; the arms are the test views of its weights
        assert list(cfg.tta.test_views) == ["center", "ten_crop"]
        assert cfg.augmentation.random_crop and cfg.augmentation.crop == 227
    else:
        assert cfg.report.arm_group in params and "," in params[cfg.report.arm_group]
    assert len(params["seed"].split(",")) >= 2  # enough seeds for a verdict


def test_the_augmentation_experiment_compares_the_papers_three_recipes():
    cfg = composed("experiment=augmentation", hydra=True)
    assert cfg.hydra.sweeper.params["augmentation"] == "none,crop_flip,paper"
    assert (cfg.model.name, cfg.data.name, cfg.data.image_size) == ("alexnet", "imagenette", 256)
    for option, crop, random_crop, lighting in [
        ("none", 227, False, False),
        ("crop_flip", 227, True, False),
        ("pca_lighting", 227, False, True),
        ("paper", 227, True, True),
    ]:
        aug = composed("data=imagenette", f"augmentation={option}").augmentation
        assert (aug.crop, aug.random_crop, aug.lighting) == (crop, random_crop, lighting)
        assert aug.lighting_std == 0.1  # the paper's N(0, 0.1)
    # 32x32 data: cuda-convnet's 24x24 crops, whole images without augmentation
    assert composed("data=cifar10", "augmentation=crop_flip").augmentation.crop == 24
    assert composed("data=cifar10", "augmentation=none").augmentation.crop is None


def test_relu_vs_tanh_has_no_regularization_and_a_grid_spanning_both_scales():
    cfg = composed("experiment=relu_vs_tanh", hydra=True)
    assert cfg.norm.name == "none" and cfg.optim.weight_decay == 0.0
    assert cfg.optim.schedule == "constant" and list(cfg.report.select_keys) == ["optim.lr"]
    lrs = [float(v) for v in cfg.hydra.sweeper.params["optim.lr"].split(",")]
    assert min(lrs) <= 1e-4 and max(lrs) >= 1e-1  # raw-scale and standardised optima inside
    settings = composed("experiment=relu_vs_tanh_settings", hydra=True).hydra.sweeper.params
    assert settings["init"] == "cuda_convnet,paper,torch"
    assert settings["data.scale"] == "raw,standard"


@pytest.mark.parametrize(
    "experiment,model,stds",
    [
        ("relu_vs_tanh", "convnet4", (1e-4, 0.01, 0.01, 0.01)),  # layers-18pct
        ("lrn", "convnet_local", (1e-4, 0.01, 0.04, 0.04, 0.01)),  # layers-conv-local-11pct
    ],
)
def test_figure_1_and_the_lrn_net_start_as_cuda_convnet_built_them(experiment, model, stds):
    cfg = composed(f"experiment={experiment}")
    assert cfg.init.name == "cuda_convnet" and cfg.model.name == model
    torch.manual_seed(0)
    net = build_model(cfg, 3, 10, 24 if model == "convnet_local" else 32)
    weights = [m.weight for m in net.modules() if getattr(m, "weight", None) is not None]
    assert [w.std().item() for w in weights] == pytest.approx(stds, rel=0.1)
    # the other inits stay choosable over the experiment, and stay what they were
    assert composed(f"experiment={experiment}", "init=paper").init.weight_std == 0.01
    assert composed(f"experiment={experiment}", "init=torch").init.name == "torch"
    # and the default run keeps the ImageNet paper's init
    assert composed().init.name == "paper"


def test_figure_1_still_runs_without_response_norm_and_rnorm_is_an_option():
    assert composed("experiment=relu_vs_tanh").norm.name == "none"  # "no regularization"
    assert composed().norm.name == "lrn"  # convnet4's default: the paper's cross-map LRN
    norm = composed("norm=rnorm").norm
    assert (norm.name, norm.size, norm.alpha, norm.beta, norm.k) == ("rnorm", 3, 5e-5, 0.75, 1.0)
