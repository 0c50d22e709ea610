"""The model registry, the switches every model shares, and the import graph of models/."""

import ast
import dataclasses
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from alexnet_lab.errors import UserError
from alexnet_lab.models import (
    build_model,
    catalog,
    check_switches,
    get_model,
    list_models,
    registry,
)
from alexnet_lab.models.switches import (
    NetInput,
    SwitchedNet,
    Switches,
    linear_classifier,
    sequential,
)
from tests.conftest import ROOT

MODELS_DIR = ROOT / "alexnet_lab" / "models"


def test_every_model_config_names_a_registered_model_and_back():
    names = sorted(
        yaml.safe_load(p.read_text())["name"] for p in (ROOT / "conf" / "model").glob("*.yaml")
    )
    assert names == list_models()
    assert names == [
        "alexnet",
        "alexnet_cifar",
        "convnet4",
        "convnet4_fc",
        "convnet4_towers",
        "convnet_local",
    ]


def test_an_unknown_model_is_a_one_line_error_naming_the_valid_ones():
    with pytest.raises(UserError, match="valid: alexnet, alexnet_cifar, convnet4") as info:
        get_model("resnet")
    assert "\n" not in str(info.value)


class Tiny(SwitchedNet):
    def layers(self, s: Switches, data: NetInput):
        features = sequential(
            ("conv", torch.nn.Conv2d(data.channels, 4, 3)), ("act", s.act()), ("norm", None)
        )
        return features, linear_classifier(features, data.channels, data.size or 8, data.classes)


def test_a_new_model_is_one_spec_one_class_and_one_registration():
    catalog.add_model(catalog.ModelSpec("tiny", __name__, ("activation",)))
    registry.register_model("tiny")(Tiny.from_options)
    try:
        cfg = {
            "model": {"name": "tiny"},
            "activation": {"name": "tanh"},
            "init": {"name": "paper", "weight_std": 0.01, "hidden_fc_std": 0.01, "bias_one": 1.0},
        }
        model = build_model(cfg, 1, 3, 8)
        assert [n for n, _ in model.features.named_children()] == ["conv", "act"]
        assert isinstance(model.features.act, torch.nn.Tanh)
        assert model(torch.zeros(2, 1, 8, 8)).shape == (2, 3)
        assert model.features.conv.weight.std().item() == pytest.approx(0.01, rel=0.3)
        check_switches("tiny", ["activation"])
        with pytest.raises(UserError, match="norm` is not a switch of model=tiny"):
            check_switches("tiny", ["norm"])
    finally:
        registry._MODELS.pop("tiny")
        catalog.MODELS.pop("tiny")


def test_a_spec_with_an_unknown_switch_or_layer_init_fails():
    with pytest.raises(ValueError, match="colour"):
        catalog.ModelSpec("x", __name__, ("colour",))
    with pytest.raises(ValueError, match="lecun"):
        catalog.ModelSpec("x", __name__, ("activation",), layer_inits=("lecun",))


def test_a_registration_must_match_its_spec():
    with pytest.raises(ValueError, match="no spec in alexnet_lab/models/catalog.py"):
        registry.register_model("resnet")
    with pytest.raises(ValueError, match=r"tables \[\] are not .* \['cuda_convnet'\]"):
        registry.register_model("convnet4")  # its spec has a cuda_convnet table
    with pytest.raises(ValueError, match=r"tables \['cuda_convnet'\] are not .* \[\]"):
        registry.register_model("alexnet", layer_inits={"cuda_convnet": {}})


def test_every_spec_is_registered_by_its_module_and_every_registration_has_a_spec():
    for info in pkgutil.iter_modules([str(MODELS_DIR)]):  # every model file, whatever it holds
        importlib.import_module(f"alexnet_lab.models.{info.name}")
    assert sorted(registry._MODELS) == list_models() == sorted(catalog.MODELS)
    for name, spec in catalog.MODELS.items():
        entry = get_model(name)
        assert entry.spec is spec
        assert spec.module in sys.modules, name
        built_by = getattr(entry.builder, "func", entry.builder)  # alexnet's are partials
        owner = getattr(built_by, "__self__", built_by)  # a net's from_options: its class
        assert owner.__module__ == spec.module, name
        assert set(entry.layer_inits) == set(spec.layer_inits), name


def test_the_checks_and_the_catalog_load_no_torch():
    code = (
        "import sys\n"
        "from alexnet_lab.models import check_init, check_switches, init_problem, list_models\n"
        "from alexnet_lab.run.validation import validate\n"
        "from alexnet_lab.run.early_checks import check_single_run\n"
        "assert init_problem('alexnet', 'cuda_convnet')\n"
        "check_switches('convnet4', ['norm'])\n"
        "print(list_models(), sorted(m for m in ('torch', 'torchvision', 'lightning') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip().endswith("'convnet_local'] []"), out


def test_switches_from_a_partial_config_keep_the_papers_defaults():
    cfg = {"activation": {"name": "tanh"}, "pooling": {"kernel_size": 2, "stride": 2}}
    s = Switches.from_config(cfg)
    assert s == dataclasses.replace(Switches(), activation="tanh", pool_kernel=2, pool_stride=2)
    assert (s.dropout, s.towers, s.norm["name"]) == (0.5, 2, "lrn")
    assert Switches(norm={"name": "none"}).norm_layer() is None
    layer = Switches().norm_layer()
    assert (layer.size, layer.alpha, layer.beta, layer.k) == (5, 1e-4, 0.75, 2.0)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_models_package_has_no_import_cycle():
    modules = {f"alexnet_lab.models.{p.stem}": p for p in MODELS_DIR.glob("*.py")}
    modules["alexnet_lab.models"] = modules.pop("alexnet_lab.models.__init__")
    graph = {name: _imports(path) & set(modules) for name, path in modules.items()}

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        for child in graph[name]:
            visit(child, (*path, name))

    for name in graph:
        visit(name, ())
