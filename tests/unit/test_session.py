"""RunSession: the one writer of a run's record, for the Lightning path and stacked members."""

import os

from alexnet_lab.errors import DivergedError, UserError
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
