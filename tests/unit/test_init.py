"""The init rules per layer: init=paper/caffe (one std), init=cuda_convnet (each layer's initW
from Krizhevsky's cuda-convnet example configs), the refusal where a model has no such source,
and why the source's small conv1 init matters on centred 0-255 input."""

import pytest
import torch
import yaml
from omegaconf import OmegaConf

from alexnet_lab.errors import UserError
from alexnet_lab.models import build_model, get_model, init_problem
from alexnet_lab.models.layers import init_weights
from alexnet_lab.run.validation import ConfigValueError, validate
from tests.conftest import ROOT

INITS = {p.stem: yaml.safe_load(p.read_text()) for p in (ROOT / "conf" / "init").glob("*.yaml")}

# initW of each weighted layer, as written in cuda-convnet's example-layers/*.cfg
LAYERS_18PCT = {"conv1": 0.0001, "conv2": 0.01, "conv3": 0.01, "fc10": 0.01}
LAYERS_CONV_LOCAL = {"conv1": 0.0001, "conv2": 0.01, "local3": 0.04, "local4": 0.04, "fc10": 0.01}
# the toolkit's module for each cuda-convnet layer name
MODULES = {
    "conv1": "features.conv1",
    "conv2": "features.conv2",
    "conv3": "features.conv3",
    "local3": "features.local3",
    "local4": "features.local4",
    "fc10": "classifier.fc",
}
SOURCES = {"convnet4": LAYERS_18PCT, "convnet_local": LAYERS_CONV_LOCAL}


def cfg(model: str, init: str, norm: str = "none") -> dict:
    return {"model": {"name": model}, "norm": {"name": norm}, "init": INITS[init]}


def weighted(model: torch.nn.Module) -> dict[str, torch.nn.Module]:
    return {n: m for n, m in model.named_modules() if hasattr(m, "weight") and m.weight.dim() > 1}


def expected_stds(model_name: str, init: str) -> dict[str, float]:
    if init == "cuda_convnet":
        return {MODULES[layer]: std for layer, std in SOURCES[model_name].items()}
    return {MODULES[layer]: INITS[init]["weight_std"] for layer in SOURCES[model_name]}


@pytest.mark.parametrize("init", ["paper", "caffe", "cuda_convnet"])
@pytest.mark.parametrize("model_name", ["convnet4", "convnet_local"])
def test_each_layer_starts_at_its_inits_std_with_zero_biases(model_name, init):
    torch.manual_seed(0)
    model = build_model(cfg(model_name, init), 3, 10, 24 if model_name == "convnet_local" else 32)
    stds = expected_stds(model_name, init)
    assert set(weighted(model)) == set(stds)  # every weighted layer is covered, no other
    for name, module in weighted(model).items():
        w = module.weight.detach().double()
        n = w.numel()  # conv1 of convnet4 has the fewest: 2,400 weights
        assert w.std().item() == pytest.approx(stds[name], rel=5 / (2 * n) ** 0.5), name
        assert abs(w.mean().item()) < 4 * stds[name] / n**0.5, name
        assert torch.all(module.bias == 0), name  # neither model names a bias-one layer


def test_the_models_tables_are_the_source_configs_values():
    for model_name, source in SOURCES.items():
        table = get_model(model_name).layer_inits["cuda_convnet"]
        assert table == {MODULES[layer]: std for layer, std in source.items()}
    assert get_model("alexnet").layer_inits == get_model("alexnet_cifar").layer_inits == {}


def test_cuda_convnet_differs_from_paper_only_in_conv1_for_convnet4():
    torch.manual_seed(0)
    ours = build_model(cfg("convnet4", "cuda_convnet"), 3, 10, 32)
    torch.manual_seed(0)
    paper = build_model(cfg("convnet4", "paper"), 3, 10, 32)
    # same draws, scaled: conv1 by 1e-4 / 1e-2, the other layers identical
    torch.testing.assert_close(ours.features.conv1.weight, paper.features.conv1.weight * 0.01)
    for name in ("conv2", "conv3"):
        torch.testing.assert_close(
            getattr(ours.features, name).weight, getattr(paper.features, name).weight
        )
    torch.testing.assert_close(ours.classifier.fc.weight, paper.classifier.fc.weight)


def test_conv1_responses_to_centred_raw_pixels_are_small_only_under_the_source_init():
    # centred 0-255 input: uniform pixels minus their mean, std 255 / sqrt(12) = 73.6, so a
    # 5x5x3 kernel's response has std initW * sqrt(75) * 73.6: 0.064 with 1e-4, 6.4 with 0.01
    torch.manual_seed(0)
    x = torch.rand(64, 3, 32, 32) * 255
    x = x - x.mean(dim=0, keepdim=True)
    spread = {}
    for init in ("cuda_convnet", "paper"):
        model = build_model(cfg("convnet4", init), 3, 10, 32)
        with torch.no_grad():
            spread[init] = model.features.conv1(x)[:, :, 2:-2, 2:-2].std().item()  # no padding
    assert spread["cuda_convnet"] == pytest.approx(0.064, rel=0.1)
    assert spread["paper"] == pytest.approx(6.4, rel=0.1)
    # tanh at 6.4: most units saturated (|tanh'| < 0.1 beyond |a| = 1.8); at 0.064, linear
    with torch.no_grad():
        model = build_model(cfg("convnet4", "paper"), 3, 10, 32)
        saturated = (model.features.conv1(x).abs() > 1.8).float().mean().item()
    assert saturated > 0.6


@pytest.mark.parametrize("model_name", ["alexnet", "alexnet_cifar"])
def test_cuda_convnet_init_is_refused_where_the_model_has_no_source(model_name):
    why = init_problem(model_name, "cuda_convnet")
    assert why is not None and "\n" not in why
    assert f"model={model_name}" in why
    assert "model=convnet4, model=convnet4_fc, model=convnet4_towers and model=convnet_local" in why
    assert "init=paper, init=caffe or init=torch" in why
    with pytest.raises(UserError, match="does not apply") as info:
        build_model(cfg(model_name, "cuda_convnet"), 3, 10, 32)
    assert "Nothing was trained" in str(info.value)
    # at a job's start, before any data loads: the same paragraph as any bad value
    job = OmegaConf.create({"model": {"name": model_name}, "init": {"name": "cuda_convnet"}})
    with pytest.raises(ConfigValueError, match="init=cuda_convnet does not apply to model="):
        validate(job)
    for init in ("paper", "caffe", "torch"):
        assert init_problem(model_name, init) is None


def test_a_table_that_misses_a_layer_is_a_programming_error():
    model = build_model(cfg("convnet4", "torch"), 3, 10, 32)
    table = dict(get_model("convnet4").layer_inits["cuda_convnet"])
    table.pop("features.conv3")
    with pytest.raises(ValueError, match="features.conv3"):
        init_weights(model, "cuda_convnet", layer_std=table)
