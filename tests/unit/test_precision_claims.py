"""bench/precision_claims.py: the bf16 commands built from an fp32 sweep, and the paired table."""

import math

import pytest
from hydra import compose, initialize_config_dir

from alexnet_lab.cli import CONFIG_DIR
from alexnet_lab.record.files import write_record
from alexnet_lab.results.verdict.intervals import Interval
from alexnet_lab.results.verdict.metrics import TOP1_ERROR
from bench.precision_claims import (
    COLUMNS,
    MISSING,
    bf16_commands,
    main,
    markdown,
    shell_line,
    table_rows,
)
from bench.precision_table import BF16, NO, NOT_JUDGED, YES, claim_verdicts, judge
from tests.records import curve, make_record

#: Student's t 0.975 quantile at 2 degrees of freedom (three pairs)
T2 = 4.302653
C1 = ["experiment=cpu/relu_vs_tanh", "data.root=$CIFAR10", "logger=none", "resume=true"]
C1_SUBDIR = "${activation.name}-lr${optim.lr}-seed${seed}"


def c1_run(folder, act, lr, seed, reach, bf16=False, extra=()):
    """A C1 run of ``act`` at ``lr`` that reaches 25% at epoch ``reach`` (None: never, in 48)."""
    record = make_record(
        [*C1, f"activation={act}", f"optim.lr={lr}", *extra],
        seed,
        curve(reach, reach or 48),
        claim="C1",
        max_epochs=48,
    )
    machine = {"precision": BF16 if bf16 else "32-true"}
    out = folder / f"{act}-lr{lr}-seed{seed}"
    write_record(out / "record.json", record.replace(machine=machine, output_dir=str(out)))


@pytest.fixture
def c1_fp32(tmp_path):
    """relu fastest at 0.003 (7, 8, 8 epochs), tanh at 0.01 (20, 24, 46), a slower lr beside."""
    sweep = tmp_path / "c1_cpu"
    reaches = {
        ("relu", "0.003"): (7, 8, 8),
        ("relu", "0.01"): (9, 10, 11),
        ("tanh", "0.01"): (20, 24, 46),
        ("tanh", "0.03"): (None, None, None),
    }
    for (act, lr), epochs in reaches.items():
        for seed, reach in enumerate(epochs):
            c1_run(sweep, act, lr, seed, reach)
    (sweep / "multirun.yaml").write_text(f"hydra:\n  sweep:\n    subdir: {C1_SUBDIR}\n")
    return sweep


def test_c1_gets_one_command_per_arm_at_its_selected_lr_past_its_slowest_seed(c1_fp32):
    (relu_what, relu), (tanh_what, tanh) = bf16_commands(c1_fp32, "runs", "/data/c10")
    for command in (relu, tanh):
        assert command[:2] == ["alexnet-lab", "experiment=cpu/relu_vs_tanh"]
        for wanted in ("seed=0,1,2", "trainer.precision=bf16-mixed", "stop_at_target=false",
                       "resume=true", "hydra/launcher=parallel", "logger=none",
                       "data.root=/data/c10", "hydra.sweep.dir=runs/c1_cpu_bf16",
                       f"hydra.sweep.subdir={C1_SUBDIR}"):  # fmt: skip
            assert command.count(wanted) == 1, (wanted, command)
        assert sum(a.startswith("optim.lr=") for a in command) == 1
        assert sum(a.startswith("trainer.max_epochs=") for a in command) == 1
    assert "activation=relu" in relu and "optim.lr=0.003" in relu
    assert "trainer.max_epochs=11" in relu  # slowest seed 8, plus 3
    assert "activation=tanh" in tanh and "optim.lr=0.01" in tanh
    assert "trainer.max_epochs=48" in tanh  # 46 + 3 = 49, capped at the protocol's 48
    assert relu_what == "C1: relu at optim.lr=0.003, 11 epochs (slowest fp32 run: 8); seeds 0, 1, 2"


def test_without_the_fp32_job_names_each_arm_gets_its_own(c1_fp32):
    (c1_fp32 / "multirun.yaml").unlink()
    (_, relu), (_, tanh) = bf16_commands(c1_fp32)
    assert relu[-1] == "hydra.sweep.subdir=relu-lr0.003-seed${seed}"
    assert tanh[-1] == "hydra.sweep.subdir=tanh-lr0.01-seed${seed}"


def test_the_c1_command_composes_as_a_bf16_run_that_does_not_stop_at_the_target(c1_fp32):
    ((_, relu), _) = bf16_commands(c1_fp32)
    single = [a.split(",")[0] for a in relu[1:] if not a.startswith("data.root=")]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=single, return_hydra_config=True)
    assert cfg.trainer.precision == "bf16-mixed" and cfg.trainer.max_epochs == 11
    assert cfg.stop_at_target is False and cfg.optim.lr == 0.003
    assert cfg.activation.name == "relu" and cfg.hydra.sweep.dir == "runs/c1_cpu_bf16"


def test_shipped_records_keep_cifar10_for_the_shell_to_expand(c1_fp32):
    ((_, relu), _) = bf16_commands(c1_fp32)
    line = shell_line(relu)
    assert ' data.root="$CIFAR10" ' in line and f"'hydra.sweep.subdir={C1_SUBDIR}'" in line


def c6_run(folder, arm, seed, top1, bf16=False):
    record = make_record(
        ["experiment=cpu/towers", f"towers={arm}", "data.root=$CIFAR10"],
        seed,
        [0.5, 0.4],
        top1=top1,
        claim="C6",
        select=(),
    )
    machine = {"precision": BF16 if bf16 else "32-true"}
    out = folder / f"{arm}-seed{seed}"
    write_record(out / "record.json", record.replace(machine=machine, output_dir=str(out)))


FP32_C6 = {"two": (0.30, 0.32, 0.31), "one": (0.33, 0.34, 0.35)}


@pytest.fixture
def c6(tmp_path):
    fp32, bf16 = tmp_path / "c6_cpu", tmp_path / "c6_cpu_bf16"
    for arm, errors in FP32_C6.items():
        for seed, top1 in enumerate(errors):
            c6_run(fp32, arm, seed, top1)
    for arm, errors in {"two": (0.301, 0.318, 0.312), "one": (0.36, 0.37, 0.375)}.items():
        for seed, top1 in enumerate(errors):
            c6_run(bf16, arm, seed, top1, bf16=True)
    return fp32, bf16


def test_a_claim_judged_on_top1_gets_one_command_with_every_arm_and_its_own_budget(c6):
    ((what, command),) = bf16_commands(c6[0])
    assert command[1] == "experiment=cpu/towers" and "towers=one,two" in command
    assert "seed=0,1,2" in command and "trainer.precision=bf16-mixed" in command
    assert not any(a.startswith(("trainer.max_epochs=", "stop_at_target=")) for a in command)
    assert "hydra.sweep.dir=runs/c6_cpu_bf16" in command and what.startswith("C6: every arm")


def paired(diffs):
    """The paired t interval of ``diffs`` (three of them), by hand."""
    mean = sum(diffs) / 3
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / 2)
    return mean, mean - T2 * sd / math.sqrt(3), mean + T2 * sd / math.sqrt(3)


def test_top1_pairs_by_arm_and_seed_with_the_paired_interval_and_the_fp32_seed_std(c6):
    rows, notes = table_rows([c6[0]], [c6[1]])
    assert notes == []
    by_arm = {row.pairs.arm.label: row for row in rows}
    two, one = by_arm["two"], by_arm["one"]
    for row, diffs in ((two, (0.001, -0.002, 0.002)), (one, (0.03, 0.03, 0.025))):
        mean, low, high = paired(diffs)
        assert row.interval.estimate == pytest.approx(mean)
        assert row.interval.low == pytest.approx(low, abs=1e-9)
        assert row.interval.high == pytest.approx(high, abs=1e-9)
        assert row.std == pytest.approx(0.01)  # the fp32 arm's sample std across seeds
    assert [v for v, _ in two.fp32.values()] == pytest.approx(FP32_C6["two"])
    assert two.verdict == YES and one.verdict == NO
    assert one.reason == "the interval excludes 0"
    assert claim_verdicts(rows) == {"C6 (c6_cpu)": NO}
    text = markdown(rows, notes)
    assert (
        "| C6 (c6_cpu) | two | test top-1 | 0, 1, 2 | 30.00, 32.00, 31.00 | 30.10, 31.80, 31.20 |"
        in text
    )
    assert "| +0.03 [-0.48, +0.55] points | 1.00 points | **yes**: the interval contains 0 " in text
    assert "**no**: the interval excludes 0 |" in text
    assert "- C6 (c6_cpu): bf16-mixed within the seed noise in every arm: **no**" in text
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table) == 4 and all(line.count("|") == len(COLUMNS) + 1 for line in table)


def test_the_rule_needs_the_mean_within_the_seed_std_and_the_interval_around_zero():
    wide = Interval(0.02, -0.01, 0.05, 2.0)
    assert judge(3, [], wide, 0.01, TOP1_ERROR) == (
        NO, "the mean difference, 2.00, exceeds the fp32 seed std, 1.00 points"
    )  # fmt: skip
    assert judge(3, [], wide, 0.02, TOP1_ERROR)[0] == YES  # |mean| == std is within
    assert judge(3, [], Interval(0.001, 0.0005, 0.002, 2.0), 0.01, TOP1_ERROR)[1] == (
        "the interval excludes 0"
    )
    assert judge(1, [], wide, 0.05, TOP1_ERROR)[0] == NOT_JUDGED  # one pair: no interval
    assert judge(3, ["seed 2: bf16 has no run"], wide, 0.05, TOP1_ERROR) == (
        NOT_JUDGED, "seed 2: bf16 has no run"
    )  # fmt: skip


def test_epochs_pair_at_their_bounds_and_a_run_past_the_budget_leaves_it_open(c1_fp32, tmp_path):
    bf16 = tmp_path / "c1_cpu_bf16"
    for seed, reach in enumerate((7, 8, 9)):
        c1_run(bf16, "relu", "0.003", seed, reach, bf16=True)
    for seed, reach in enumerate((21, 25, None)):
        c1_run(bf16, "tanh", "0.01", seed, reach, bf16=True)
    rows, notes = table_rows([c1_fp32], [bf16])
    assert notes == []
    relu, tanh = rows
    assert relu.pairs.label == "relu (optim.lr=0.003)"
    # each count k stands for (k-1, k]: the differences' lows are -1, -1, 0, highs 1, 1, 2
    half = T2 * math.sqrt(1 / 3) / math.sqrt(3)
    assert relu.interval.estimate == pytest.approx(1 / 3)
    assert relu.interval.low == pytest.approx(-2 / 3 - half)
    assert relu.interval.high == pytest.approx(4 / 3 + half)
    assert relu.std == pytest.approx(math.sqrt(1 / 3))
    assert relu.verdict == YES
    assert tanh.bf16[2] == (48.0, True) and math.isinf(tanh.interval.high)
    assert tanh.verdict == NOT_JUDGED and "never reached" in tanh.reason
    assert claim_verdicts(rows) == {"C1 (c1_cpu)": NOT_JUDGED}


def test_missing_unpaired_and_wrong_precision_runs_are_named(c1_fp32, tmp_path):
    bf16 = tmp_path / "c1_cpu_bf16"
    for seed, reach in enumerate((7, 8)):  # seed 2 not run yet
        c1_run(bf16, "relu", "0.003", seed, reach, bf16=True)
    c1_run(bf16, "relu", "0.01", 0, 9, bf16=True)  # not the lr relu's verdict selected
    c1_run(bf16, "tanh", "0.01", 0, 20)  # fp32 in the bf16 folder
    rows, notes = table_rows([c1_fp32], [bf16])
    relu, tanh = rows
    assert relu.verdict == NOT_JUDGED and relu.reason == "seed 2: bf16 has no run"
    assert tanh.reason == "; ".join(f"seed {s}: bf16 has no run" for s in (0, 1, 2))
    assert len(notes) == 2
    assert notes[0].endswith("tanh-lr0.01-seed0 ran in 32-true: left out")
    assert "relu-lr0.01-seed0 (bf16: optim.lr=0.01, arm relu) matches no fp32 arm" in notes[1]
    assert notes[0] in markdown(rows, notes)


def test_the_table_needs_one_bf16_folder_per_fp32_folder(c6, capsys):
    with pytest.raises(SystemExit):
        main(["--fp32", str(c6[0])])
    assert "one --bf16 folder per --fp32 folder" in capsys.readouterr().err
    assert main(["--fp32", str(c6[0]), "--bf16", str(c6[1]), "--markdown"]) == 0
    assert "| C6 (c6_cpu) | one |" in capsys.readouterr().out


def test_run_trains_the_commands_in_order_and_stops_at_the_first_that_fails(
    c1_fp32, monkeypatch, capsys
):
    ran, fail = [], [True]

    def fake_run(command):
        ran.append(command)
        return type("Done", (), {"returncode": int(fail[0])})()

    monkeypatch.setattr("bench.precision_claims.subprocess.run", fake_run)
    monkeypatch.delenv("CIFAR10", raising=False)
    assert main(["--run", "--fp32", str(c1_fp32), "--cifar10", ""]) == 2  # $CIFAR10 unset
    assert ran == [] and MISSING in capsys.readouterr().err
    assert main(["--run", "--fp32", str(c1_fp32), "--cifar10", "/data/c10"]) == 1
    assert len(ran) == 1 and "activation=relu" in ran[0]  # tanh's never started
    ran.clear()
    fail[0] = False
    assert main(["--run", "--fp32", str(c1_fp32), "--cifar10", "/data/c10"]) == 0
    assert ["activation=relu" in c for c in ran] == [True, False]
    assert ["activation=tanh" in c for c in ran] == [False, True]
    assert all("data.root=/data/c10" in c for c in ran)
