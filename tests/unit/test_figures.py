"""The figures state the finding: verdict and interval in the title, panels named, one colour
per arm, seed spread, diverged and stalled runs apart, an lr-sensitivity figure."""

import math

import pytest
from matplotlib.colors import to_hex

from alexnet_lab.record.files import write_record
from alexnet_lab.results.figures.curves import plot_training_curves
from alexnet_lab.results.figures.final_errors import plot_final_errors
from alexnet_lab.results.figures.lr_sensitivity import plot_lr_sensitivity
from alexnet_lab.results.figures.style import arm_colours, finding_title
from alexnet_lab.results.report import build_report
from alexnet_lab.results.verdict.compare import compare
from alexnet_lab.results.verdict.metrics import TOP1_ERROR
from tests.records import a_record

BUDGET = 12
LRS = ("0.001", "0.01", "0.1")


def run(act, lr, seed, reach, status="completed", stop=None, stuck=False, classes=10, top1=0.4):
    """A C1 record whose running train error falls to 0.25 at epoch ``reach`` (None: never)."""
    epochs = stop or BUDGET
    start, end = (0.9, 0.89) if stuck else (0.85, 0.25 if reach else 0.4)
    span = (reach or BUDGET + 4) - 1
    errors = [max(end, start - (start - 0.25) * (e - 1) / span) if not stuck else start
              for e in range(1, epochs + 1)]  # fmt: skip
    if reach:
        errors = [0.2 if e >= reach else min(err, 0.3 + 0.01 * (reach - e))
                  for e, err in zip(range(1, epochs + 1), errors, strict=True)]  # fmt: skip
    errors = [err + 0.01 * seed for err in errors]
    history = [
        {"epoch": e, "train_error": err, "val_error": top1 + 0.01 * seed,
         "val_top5_error": top1 / 4, "lr": float(lr)}
        for e, err in enumerate(errors, 1)
    ]  # fmt: skip
    if status == "diverged":
        history[-1]["train_error"] = math.nan
    return a_record(
        overrides=[f"activation={act}", f"optim.lr={lr}", f"seed={seed}"],
        seed=seed,
        claim="C1",
        status=status,
        target_error=0.25,
        report={"arm_group": "activation", "select_keys": ["optim.lr"]},
        choices={"model": "convnet4", "data": "cifar10", "activation": act},
        settings={"model": "convnet4", "data": "cifar10", "max_epochs": BUDGET},
        history=history,
        not_learning=stuck,
        final={"test": {"top1_error": top1 + 0.01 * seed, "top5_error": top1 / 4}},
        data={"name": "cifar10", "train_size": 5000, "num_classes": classes},
    )


def c1_sweep(classes=10):
    """relu reaches 25% at epoch 3-4 (best lr 0.01), tanh at 8-9 or never; odd runs included."""
    records = []
    for seed in range(3):
        records += [
            run("relu", "0.001", seed, 9 + seed % 2, classes=classes),
            run("relu", "0.01", seed, 3 + seed % 2, classes=classes),
            run("relu", "0.1", seed, None, status="diverged", stop=2, classes=classes),
            run("tanh", "0.001", seed, None, classes=classes),
            run("tanh", "0.01", seed, 8 + seed % 2, classes=classes),
            run("tanh", "0.1", seed, 10, classes=classes),
        ]
    # a fourth relu seed at the chosen lr that stalled at chance, one tanh seed that diverged
    records.append(run("relu", "0.01", 3, None, stuck=True, classes=classes))
    records.append(run("tanh", "0.01", 3, None, status="diverged", stop=5, classes=classes))
    return records


@pytest.fixture
def comparison():
    return compare(c1_sweep(), claim_id="C1")


def colours_of(ax, label_start):
    return {
        to_hex(line.get_color()) for line in ax.lines if line.get_label().startswith(label_start)
    }


def test_titles_state_the_verdict_and_the_ratio_with_its_interval(comparison, tmp_path):
    (setting,) = comparison.settings
    verdict = setting.verdict
    interval = verdict["numbers"]["interval"]
    ratio = f"tanh/relu = {verdict['numbers']['ratio']:.2f}x"
    # relu's stalled seed never reached the target (censored): the low end is open
    assert interval["low"] == 0
    bounds = f"[≤ {interval['high']:.2f}]"
    for fig in (
        plot_training_curves(comparison, 0.25, tmp_path / "c.png"),
        plot_final_errors(comparison, tmp_path / "e.png", 0.25),
        plot_lr_sensitivity(comparison, 0.25, tmp_path / "l.png"),
    ):
        title = fig._suptitle.get_text()
        assert title.startswith(f"C1 {verdict['verdict']}: {ratio} {bounds}"), title
        assert "paper: ~6x fewer epochs" in title
        for ax in fig.axes:  # named by the data, never "all runs"
            assert ax.get_title().startswith("convnet4, cifar10 (5,000 images)"), ax.get_title()


def test_panels_of_a_multi_setting_sweep_name_their_setting_and_verdict(tmp_path):
    records = c1_sweep()
    for i, record in enumerate(records):
        record.overrides.append(f"init={'paper' if i % 2 else 'torch'}")
    records += [r.replace(overrides=[*r.overrides[:-1], "init=paper"]) for r in records[::2]]
    records += [r.replace(overrides=[*r.overrides[:-1], "init=torch"]) for r in records[1::2]]
    comparison = compare(records, claim_id="C1")
    fig = plot_training_curves(comparison, 0.25, tmp_path / "c.png")
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert [t.split("\n")[0] for t in titles] == [s.label for s in comparison.settings]
    assert all("tanh/relu = " in t.split("\n")[1] for t in titles)
    assert "verdict per setting" in fig._suptitle.get_text()


def test_stalled_and_diverged_runs_stay_out_of_the_mean_curve(comparison, tmp_path):
    fig = plot_training_curves(comparison, 0.25, tmp_path / "c.png")
    (ax,) = fig.axes
    (relu_mean,) = [line for line in ax.lines if line.get_label().startswith("relu (lr 0.01")]
    assert "3 seeds" in relu_mean.get_label()  # the stalled fourth seed is not counted
    # the mean of the three learning seeds at epoch 1 (the stalled run sits at 0.9)
    relu = comparison.settings[0].arm("relu")
    firsts = [r.history[0]["train_error"] for r in relu.runs if not r.not_learning]
    assert relu_mean.get_ydata()[0] == pytest.approx(100 * sum(firsts) / 3)  # in percent
    (shared,) = fig.legends  # one legend below the panels for what they share
    legend = [t.get_text() for t in shared.get_texts()]
    assert any(t.startswith("not learning") for t in legend)
    assert any(t.startswith("diverged") for t in legend)
    assert any(t.startswith("other lrs") for t in legend)
    (tanh_mean,) = [line for line in ax.lines if line.get_label().startswith("tanh (lr 0.01")]
    assert len(tanh_mean.get_xdata()) == BUDGET and not any(map(math.isnan, tanh_mean.get_ydata()))


def test_the_lr_figure_has_a_line_per_arm_a_dot_per_seed_and_censored_at_the_budget(
    comparison, tmp_path
):
    fig = plot_lr_sensitivity(comparison, 0.25, tmp_path / "l.png")
    speed, error = fig.axes
    assert speed.get_xscale() == "log"
    lines = [line for line in speed.lines if line.get_label().startswith(("relu (", "tanh ("))]
    assert [line.get_label() for line in lines] == [
        "relu (chosen lr 0.01)",
        "tanh (chosen lr 0.01)",
    ]
    assert [len(line.get_xdata()) for line in lines] == [2, 3]  # relu's lr 0.1 all diverged
    dots = sum(len(line.get_xdata()) for line in speed.lines if line.get_gid() == "seeds")
    hollow = [line for line in speed.lines if line.get_gid() == "censored"]
    grey = sum(len(line.get_xdata()) for line in speed.lines if line.get_gid() == "not_learning")
    # every run that did not diverge is a dot: relu 3 + 4 (one stalled: grey), tanh 3 + 3 + 3
    assert dots + sum(len(line.get_xdata()) for line in hollow) + grey == 16 and grey == 1
    assert {y for line in hollow for y in line.get_ydata()} == {BUDGET}  # more than BUDGET
    crosses = sum(len(line.get_xdata()) for line in speed.lines if line.get_gid() == "diverged")
    assert crosses == 4
    assert sum(len(line.get_xdata()) for line in speed.lines if line.get_gid() == "chosen") == 2
    assert "final top-1 error" in error.get_title()


def test_top5_only_past_ten_classes_and_one_colour_per_arm(tmp_path):
    ten = compare(c1_sweep(classes=10), claim_id="C1")
    hundred = compare(c1_sweep(classes=100), claim_id="C1")
    assert len(plot_final_errors(ten, tmp_path / "a.png", 0.25).axes) == 1  # speed: epochs
    c1 = compare(c1_sweep(classes=10), claim_id="C1")
    ten.metric = hundred.metric = TOP1_ERROR  # as an error claim: shown by its top-1 error
    assert len(plot_final_errors(ten, tmp_path / "b.png").axes) == 1
    titles = [ax.get_title() for ax in plot_final_errors(hundred, tmp_path / "c.png").axes]
    assert [t.split(": ")[-1] for t in titles] == ["top-1 error", "top-5 error"]
    colours = arm_colours(["tanh", "relu", "gelu", "swish"])
    assert colours["relu"] == arm_colours(["relu"])["relu"] != colours["tanh"]
    assert len(set(colours.values())) == 4
    curves = plot_training_curves(c1, 0.25, tmp_path / "c.png").axes[0]
    lr = plot_lr_sensitivity(c1, 0.25, tmp_path / "l.png").axes[0]
    for arm in ("relu", "tanh"):
        assert colours_of(curves, f"{arm} (") == colours_of(lr, f"{arm} (")
        assert colours_of(lr, f"{arm} (") == {arm_colours([arm])[arm]}


def test_the_report_lists_the_lr_figure(tmp_path):
    for i, record in enumerate(c1_sweep()):
        write_record(tmp_path / str(i) / "record.json", record)
    summary = build_report(tmp_path, quiet=True)
    assert summary["figures"] == ["training_curves.png", "final_errors.png", "lr_sensitivity.png"]
    assert summary["curve_panels"] == ["convnet4, cifar10 (5,000 images)"]
    assert "![lr sensitivity](lr_sensitivity.png)" in (tmp_path / "report.md").read_text()
    assert (tmp_path / "lr_sensitivity.png").read_bytes()[:4] == b"\x89PNG"


def test_a_missing_arm_is_said_in_the_title(tmp_path):
    relu_only = compare([r for r in c1_sweep() if "activation=relu" in r.overrides], "C1")
    fig = plot_training_curves(relu_only, 0.25, tmp_path / "c.png")
    assert fig._suptitle.get_text().startswith("C1 inconclusive: arm tanh did not run")


def test_title_says_neither_arm_reached_the_target_instead_of_a_ratio():
    """Both arms censored at budget + 1 make a ratio of 1.00x that means nothing."""
    records = [run(act, "0.01", seed, reach=None) for act in ("relu", "tanh") for seed in (0, 1)]
    comparison = compare(records, select_keys=["optim.lr"])
    title = finding_title(comparison)
    assert "after 12 epochs: relu 41.5%, tanh 41.5% running training error" in title
    assert "neither reached the target" in title and "1.00x" not in title


def test_runs_stopped_at_the_target_are_marked_in_the_top1_panel(tmp_path):
    records = []
    for seed in range(2):
        for lr, reach in (("0.001", 9), ("0.01", 3)):
            stopped = run("relu", lr, seed, reach, stop=reach)  # stop_at_target: ends there
            records.append(stopped.replace(stopped_at_target=True))
        records += [run("tanh", lr, seed, None) for lr in ("0.001", "0.01")]  # full budget
    fig = plot_lr_sensitivity(compare(records, claim_id="C1"), 0.25, tmp_path / "l.png")
    speed, error = fig.axes
    marked = [line for line in error.lines if line.get_gid() == "stopped"]
    assert sum(len(line.get_xdata()) for line in marked) == 4  # the four relu runs
    full = sum(len(line.get_xdata()) for line in error.lines if line.get_gid() == "seeds")
    assert full == 4  # the tanh runs, which trained their whole budget
    assert not any(len(line.get_xdata()) for line in speed.lines if line.get_gid() == "stopped")
    assert "at each run's end" in error.get_title()
    assert "where each run ended" in error.get_ylabel()


def test_the_eval_mode_training_error_is_its_own_thin_dashed_line_named_apart(tmp_path):
    records = c1_sweep()
    for record in records:
        for row in record.history:
            row["train_eval_error"] = 0.5 * row["train_error"]
    fig = plot_training_curves(compare(records, claim_id="C1"), 0.25, tmp_path / "c.png")
    (ax,) = fig.axes
    dotted = [line for line in ax.lines if line.get_gid() == "eval"]
    assert len(dotted) == 2  # one per arm, at its chosen lr
    assert all(line.get_marker() == "o" and line.get_linewidth() < 2 for line in dotted)
    relu = [line for line in ax.lines if line.get_label().startswith("relu (lr 0.01")][0]
    assert list(dotted[0].get_ydata()) == pytest.approx([0.5 * y for y in relu.get_ydata()])
    (shared,) = fig.legends
    assert any(t.get_text().startswith("train_eval_error") for t in shared.get_texts())
