"""RunSession: the one writer of a run's record, for the Lightning path and stacked members."""

import os

import pytest

from alexnet_lab.errors import DivergedError, UserError
from alexnet_lab.record.files import RunRecord
from alexnet_lab.run.session import RunSession
from tests.records import a_record, load_record


def _record(tmp_path, **fields):
    base = dict(
        status="running",
        overrides=["activation=relu"],
        target_error=0.25,
        not_learning_patience=2,
        settings={"batch_size": 64},
        output_dir=str(tmp_path),
    )
    return a_record(**(base | fields))


def _written(tmp_path):
    return load_record(tmp_path)


def test_a_session_writes_its_start_and_every_epoch(tmp_path):
    session = RunSession(_record(tmp_path), tmp_path, num_classes=10)
    session.start({"train_size": 100, "chance_error": 0.88}, processes=2)
    assert session.chance == 0.88
    assert _written(tmp_path).status == "running"
    assert _written(tmp_path).settings["global_batch_size"] == 128
    session.add_epoch({"epoch": 1, "train_error": 0.5})
    session.add_epoch({"epoch": 2, "train_error": 0.2})
    on_disk = _written(tmp_path)
    assert [r["epoch"] for r in on_disk.history] == [1, 2]
    assert on_disk.epochs_to_target == 2 and on_disk.stopped_at_target is False
    session.add_epoch({"epoch": 2, "train_error": 0.3})  # a resumed run repeats its epoch
    assert [r["train_error"] for r in session.record.history] == [0.5, 0.3]
    assert session.record.epochs_to_target is None
    record = session.finish({"center": {"test_error": 0.4, "test_top5_error": 0.1}}, "center")
    assert record.status == "completed" and record.final["test"]["top1_error"] == 0.4
    assert _written(tmp_path).final["test"]["top5_error"] == 0.1


def test_stop_at_target_marks_the_run_done_also_from_a_resumed_history(tmp_path):
    session = RunSession(_record(tmp_path), tmp_path, stop_at_target=True)
    session.add_epoch({"epoch": 1, "train_error": 0.6})
    assert not session.done
    session.add_epoch({"epoch": 2, "train_error": 0.2})
    assert session.done and session.record.stopped_at_target
    resumed = RunSession(_record(tmp_path), tmp_path, stop_at_target=True)
    resumed.start(None, history=session.record.history)
    assert resumed.done and resumed.record.epochs_to_target == 2
    no_target = RunSession(_record(tmp_path, target_error=None), tmp_path, stop_at_target=True)
    assert not no_target.stop_at_target


def test_failures_and_interrupts_are_said_once_for_every_engine(tmp_path):
    session = RunSession(_record(tmp_path, status="running"), tmp_path)
    session.fail(DivergedError(epoch=3, step=7, loss=float("nan"), lr=0.1))
    assert session.record.status == "diverged" and "lr 0.1" in session.record.error
    user = RunSession(_record(tmp_path, status="running"), tmp_path)
    user.fail(UserError("no data"))
    assert (user.record.status, user.record.error, user.record.traceback) == (
        "failed",
        "no data",
        None,
    )
    crash = RunSession(_record(tmp_path, status="running"), tmp_path)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        crash.fail(exc)
    assert crash.record.error == "RuntimeError: boom" and "boom" in crash.record.traceback
    cut = RunSession(_record(tmp_path, status="running"), tmp_path)
    cut.add_epoch({"epoch": 1, "train_error": 0.7})
    assert cut.close("center") is None
    on_disk = _written(tmp_path)
    assert on_disk.status == "interrupted" and "during the run" in on_disk.error
    assert on_disk.final["last"]["epoch"] == 1 and on_disk.finished_at


def test_a_record_that_cannot_be_written_is_named_not_raised(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    session = RunSession(_record(tmp_path), blocker / "run")
    why = session.close("center")
    assert why is not None and str(blocker / "run" / "record.json") in why


def test_one_resume_plan_names_whichever_checkpoint_the_interrupted_run_wrote(tmp_path):
    import torch

    from alexnet_lab.record.files import write_record
    from alexnet_lab.run.resume import plan_resume

    overrides = ["activation=relu", "seed=0"]
    for engine, name in (("stacked", "stacked_last.pt"), ("lightning", "last.ckpt")):
        run = tmp_path / engine / "0"
        write_record(run / "record.json", _record(run, overrides=overrides, status="interrupted"))
        (run / "checkpoints").mkdir()
        torch.save({"epoch": 1}, run / "checkpoints" / name)
        plan = plan_resume(run, run.parent, None, overrides)
        assert plan.action == "resume" and plan.checkpoint == run / "checkpoints" / name
        assert plan.stacked == (engine == "stacked")
    # both: the one written last (here the stack's, a day after Lightning's)
    folder = tmp_path / "lightning" / "0" / "checkpoints"
    torch.save({"epoch": 2}, folder / "stacked_last.pt")
    os.utime(folder / "last.ckpt", (1, 1))
    plan = plan_resume(folder.parent, folder.parent.parent, None, overrides)
    assert plan.stacked and plan.checkpoint == folder / "stacked_last.pt"


def _composed(*overrides):
    from hydra import compose, initialize_config_dir

    from alexnet_lab.cli import CONFIG_DIR

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("config", overrides=["data=synthetic", "logger=none", *overrides])


def test_opening_a_session_builds_or_continues_the_record_for_either_engine(tmp_path):
    from alexnet_lab.run.context import JobContext
    from alexnet_lab.run.resume import ResumePlan

    cfg = _composed("seed=3", "stop_at_target=true", "target_error=0.5")
    context = JobContext(overrides=("seed=3",), choices={"experiment": None})
    fresh = RunSession.open(cfg, tmp_path / "a", context)
    assert fresh.record.seed == 3 and fresh.record.history == [] and fresh.stop_at_target
    assert fresh.record.config["seed"] == 3 and fresh.record.launcher is None
    previous = RunRecord(history=[{"epoch": 1}, {"epoch": 2}], started_at="2026-12-01T00:00:00")
    checkpoint = tmp_path / "b" / "checkpoints" / "stacked_last.pt"
    plan = ResumePlan("resume", previous, checkpoint, notes=["a note"])
    member = RunSession.open(
        cfg,
        tmp_path / "b",
        context,
        plan=plan,
        launcher="stacked",
        wandb_group="g",
        num_classes=4,
    )
    record = member.record
    assert [r["epoch"] for r in record.history] == [1, 2]
    assert record.resumed_from == str(checkpoint) and record.started_at == "2026-12-01T00:00:00"
    assert record.resume_notes == ["a note"] and record.wandb_group == "g"
    assert (record.launcher, record.group_size) == ("stacked", 1) and member.chance == 0.75
    member.keep_history(1)
    member.joined_stack(3)
    assert [r["epoch"] for r in record.history] == [1] and record.group_size == 3
    assert not (tmp_path / "b" / "record.json").exists()  # written once the run starts


def test_the_sessions_resume_plan_is_one_for_both_engines_but_whose_checkpoint_it_loads(
    tmp_path, recwarn
):
    import torch

    from alexnet_lab.record.files import write_record
    from alexnet_lab.run.context import JobContext

    overrides = ("activation=relu", "seed=0")
    context = JobContext(overrides=overrides, sweep_dir=tmp_path, multirun=True)
    run = tmp_path / "0"
    write_record(run / "record.json", _record(run, overrides=list(overrides), status="interrupted"))
    (run / "checkpoints").mkdir()
    torch.save({"epoch": 1}, run / "checkpoints" / "stacked_last.pt")
    cfg = _composed("activation=relu", "seed=0")
    assert RunSession.plan(cfg, run, context).action == "fresh"  # no resume=true: none read
    cfg = _composed("activation=relu", "seed=0", "resume=true")
    stacked = RunSession.plan(cfg, run, context, engine="stacked")
    assert stacked.action == "resume" and stacked.stacked and stacked.previous is not None
    assert not recwarn.list
    lightning = RunSession.plan(cfg, run, context)  # Lightning cannot load the stack's
    assert lightning.action == "fresh" and lightning.checkpoint is None
    assert "stacked member's checkpoint" in lightning.notes[0]
    assert "trains the run again from scratch" in str(recwarn.pop(UserWarning).message)
    session = RunSession.open(cfg, run, context, plan=lightning)
    assert session.record.resume_notes == lightning.notes and not session.record.resumed_from
    session = RunSession.open(cfg, run, context, plan=stacked, launcher="stacked")
    assert session.record.resumed_from == str(run / "checkpoints" / "stacked_last.pt")
    other = JobContext(overrides=("activation=tanh", "seed=0"), sweep_dir=tmp_path, multirun=True)
    with pytest.raises(UserError, match="holds the job `activation=relu seed=0`"):
        RunSession.plan(cfg, run, other, engine="stacked")


def test_a_run_that_ended_outside_a_session_is_saved_failed_with_why(tmp_path):
    record = _record(tmp_path, status="running")
    RunSession.save_ended(record, tmp_path, failed="its worker died")
    on_disk = _written(tmp_path)
    assert on_disk.status == "failed" and on_disk.error == "its worker died"
    assert on_disk.finished_at


def test_closing_writes_the_record_before_the_loggers_finish_and_again_with_their_w_and_b(tmp_path):
    session = RunSession(_record(tmp_path, status="running"), tmp_path)
    seen = []

    def finish_loggers(completed):
        seen.append((completed, _written(tmp_path).status))
        return {"url": "https://wandb.example/run"}, "finishing the W&B run failed: late"

    assert session.close("center", finish_loggers) is None
    assert seen == [(False, "interrupted")]  # written before the loggers were touched
    on_disk = _written(tmp_path)
    assert on_disk.wandb == {"url": "https://wandb.example/run"}
    assert on_disk.wandb_error == "finishing the W&B run failed: late"


def test_starting_opens_the_engines_loggers_with_the_record_and_gives_back_what_they_are(tmp_path):
    session = RunSession(_record(tmp_path, config={"seed": 7}), tmp_path)
    opened = []

    def open_loggers(record):
        opened.append(record.config["seed"])
        return "the loggers"

    assert session.start({"train_size": 10}, open_loggers=open_loggers) == "the loggers"
    assert opened == [7] and _written(tmp_path).status == "running"
