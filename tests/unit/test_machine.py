"""The run record says which machine trained it; older records read without it."""

from pathlib import Path

from hydra import compose, initialize_config_dir

from alexnet_lab.record.files import RunRecord, write_record
from alexnet_lab.run.context import JobContext
from alexnet_lab.run.machine import cpu_model, machine_info
from alexnet_lab.run.session import RunSession

CONFIG_DIR = Path(__file__).resolve().parents[2] / "conf"  # the source tree


def test_the_cpu_model_comes_from_cpuinfo_else_the_platform(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: Example CPU @ 2.0GHz\n")
    assert cpu_model(info) == "Example CPU @ 2.0GHz"
    assert cpu_model(tmp_path / "absent")  # the platform's word, never empty


def test_machine_info_is_computed_once_and_names_no_host():
    info = machine_info()
    assert info is machine_info()
    assert {"cpu", "cpu_count", "torch_threads", "gpus", "gpu_count", "torch", "lightning"} <= set(
        info
    )
    assert info["gpu_count"] == len(info["gpus"]) and "hostname" not in info


def test_new_record_carries_the_machine_and_old_records_read_without_one(tmp_path):
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=["data=synthetic", "logger=none"])
    record = RunSession.open(cfg, tmp_path, JobContext(choices={"data": "synthetic"})).record
    assert record.machine == machine_info()
    write_record(tmp_path / "record.json", record)
    assert RunRecord.load(tmp_path / "record.json").machine == machine_info()
    old = record.to_dict()
    del old["machine"]
    assert RunRecord.from_dict(old).machine == {}


def test_machine_info_pickles_without_torch():
    """A worker's job return carries the record: reading it must not import torch.

    The parallel launcher unpickles every job's return; a TorchVersion in the record made it
    import torch (seconds, while both workers waited for their next job).
    """
    import pickle

    info = machine_info()
    assert b"torch_version" not in pickle.dumps(dict(info))  # no class of torch's
    assert type(info["torch"]) is str and type(info["lightning"]) is str
