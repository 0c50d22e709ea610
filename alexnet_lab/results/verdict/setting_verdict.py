"""One setting's verdict from its arms' runs: the value rules, then what only the runs show.

After :func:`~alexnet_lab.results.verdict.verdicts.judge` rules on the values: an arm without a
finished run at any lr (its runs diverged: its lr was too large, which says nothing of its
speed; smaller lrs to try) has no verdict; arms whose runs all ended at chance did not learn,
so their final numbers say nothing (a baseline that never reached a speed target stays
censored, said in words); a budget too short to show a ratio claim is said with the budget
that could; a verdict that the arm whose improvement could flip it has at its grid's edge is
inconclusive, naming the value to add. The secondary comparisons (:class:`Part`) follow.
"""

from __future__ import annotations

from typing import Any

from alexnet_lab.results.verdict.advice import budget_words, edge_value, grid_edge_words, lr_advice
from alexnet_lab.results.verdict.arms import ArmResult
from alexnet_lab.results.verdict.claims import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, Claim
from alexnet_lab.results.verdict.metrics import FINAL_TRAIN_ERROR, run_name
from alexnet_lab.results.verdict.verdicts import judge, judge_part


def judge_setting(claim: Claim, arms: list[ArmResult]) -> dict[str, Any]:
    """The verdict of one setting from its arms (each at its selected lr), every rule applied."""
    by_label = {a.label: a for a in arms}
    fav, base = by_label.get(claim.favoured), by_label.get(claim.baseline)
    if fav is None or base is None:
        missing = claim.favoured if fav is None else claim.baseline
        reason = (
            f"the paper compares {claim.favoured} with {claim.baseline}; "
            f"arm {missing} did not run in this setting."
        )
        ran = fav or base
        if ran is not None and ran.runs and all(r.did_not_learn for r in ran.runs):
            reason += f" Arm {ran.label} did not learn: {_chance_text(ran)}."
        return {"verdict": INCONCLUSIVE, "reason": reason}
    result = judge(claim, fav.stats, base.stats, data_name(fav.runs + base.runs))
    if fav.stats.all_censored and base.stats.all_censored:
        result["measured"] = _after_budget(fav, base)
    stuck = _no_finished_run(fav, base)
    if stuck:
        result |= {"verdict": INCONCLUSIVE, "reason": stuck, "decide": stuck}
    else:
        _apply_chance(claim, fav, base, result)
        _apply_test_chance(claim, fav, base, result)
        _apply_budget(claim, fav, base, result)
        _apply_edges(claim, fav, base, result)
    parts = _judge_parts(claim, by_label)
    if parts:
        result["parts"] = parts
    edge = [f"{a.label} ({', '.join(a.at_edge)})" for a in arms if a.at_edge]
    if edge and "edge" not in result:
        result["warning"] = (
            "best value at the grid's edge: widen the grid; the comparison is not "
            "fair until the best value is inside it: " + "; ".join(edge)
        )
    left = {a.label: a.stats.left_out for a in (fav, base) if a.stats.left_out}
    if left:
        result["left_out"] = left
        result["missing"] = {a.label: a.stats.missing for a in (fav, base) if a.stats.missing}
        result["reason"] += (
            " Left out, without a value: "
            + "; ".join(f"{label} {', '.join(names)}" for label, names in result["missing"].items())
            + "."
        )
    return result


def data_name(runs: list) -> str | None:
    """The data set the runs trained on (``data.name``), when they agree on one."""
    names = {r.data.get("name") or r.setting("data") for r in runs}
    return names.pop() if len(names) == 1 else None


def _after_budget(*arms: ArmResult) -> str:
    """``after 20 epochs: relu 28.6%, tanh 47.6% running training error (neither reached...)``.

    The epochs the runs ran (``up to`` when they differ: some stopped before their budget).
    """
    ran = {len(r.history) for a in arms for r in a.runs} or {0}
    epochs = max(ran)
    errors = []
    for arm in arms:
        train = arm.of(FINAL_TRAIN_ERROR)
        errors.append(f"{arm.label} {100 * train.mean:.1f}%" if train.n else f"{arm.label} n/a")
    shown = ", ".join(errors)
    unit = "epoch" if epochs == 1 else "epochs"
    up_to = "up to " if len(ran) > 1 else ""
    return (
        f"after {up_to}{epochs} {unit}: {shown} running training error (neither reached the target)"
    )


def _no_finished_run(fav: ArmResult, base: ArmResult) -> str | None:
    """An arm without a value at any lr (selection prefers values): why, and what to try."""
    words = []
    for arm in (fav, base):
        if arm.stats.n:
            continue
        statuses = sorted({r.status for r in arm.every_run})
        if "diverged" in statuses:
            words.append(f"{arm.label} has no finished run at any lr: {lr_advice(arm)}")
        else:
            words.append(
                f"{arm.label} has no finished run ({', '.join(statuses) or 'none ran'}): "
                "finish its runs (resume=true) before judging."
            )
    return " ".join(words) or None


def _apply_chance(claim: Claim, fav: ArmResult, base: ArmResult, result: dict) -> None:
    """Arms whose runs all ended at chance did not learn: no verdict on them, in words."""
    stuck = [a for a in (fav, base) if a.runs and all(r.did_not_learn for r in a.runs)]
    if not stuck:
        return
    censoring = bool(claim.metric.censored_means)
    names = ", ".join(f"{a.label} ({_chance_text(a)})" for a in stuck)
    if censoring and stuck == [base]:
        result["reason"] += (
            f" Note: {names} stayed at chance, so its runs count as never reaching the target."
        )
        return
    why = (
        f"did not learn at this budget: {names} stayed at chance, so the {claim.metric.label} "
        f"says nothing about the claim. Train longer (trainer.max_epochs), or with an lr or "
        f"init that learns, before judging."
    )
    result |= {"verdict": INCONCLUSIVE, "decide": why, "did_not_learn": [a.label for a in stuck]}
    result["reason"] = f"{result['reason']} Inconclusive: {why}"


def _apply_test_chance(claim: Claim, fav: ArmResult, base: ArmResult, result: dict) -> None:
    """Runs that test at chance although their training error is low are flagged.

    Such a test says nothing of the net (its view, labels or input are suspect): an arm whose
    runs all test so gets no verdict on a test error.
    """
    flagged = {a.label: [r for r in a.runs if r.test_at_chance] for a in (fav, base)}
    flagged = {label: runs for label, runs in flagged.items() if runs}
    if not flagged:
        return
    result["test_at_chance"] = {
        label: [run_name(r) for r in runs] for label, runs in flagged.items()
    }
    names = "; ".join(
        f"{label} {', '.join(run_name(r) for r in runs)}" for label, runs in flagged.items()
    )
    words = (
        f"flagged: test error at chance although the training error is low ({names}): "
        "check the test view, labels and input before reading the test error."
    )
    whole = [a for a in (fav, base) if a.runs and len(flagged.get(a.label, [])) == len(a.runs)]
    if whole and claim.metric.name in ("top1_error", "top5_error"):
        result |= {"verdict": INCONCLUSIVE, "decide": words}
        result["reason"] += f" Inconclusive: {words}"
    else:
        result["reason"] += f" Note: {words}"


def _chance_text(arm: ArmResult) -> str:
    train = arm.of(FINAL_TRAIN_ERROR)
    chance = next((r.chance_error for r in arm.runs if r.chance_error), None)
    shown = f"running training error {100 * train.mean:.1f}%" if train.n else "no error"
    return shown + (f", chance {100 * chance:.1f}%" if chance else "")


def _apply_budget(claim: Claim, fav: ArmResult, base: ArmResult, result: dict) -> None:
    """Say when the epoch budget could not show a ratio claim whatever the baseline did."""
    if claim.min_ratio is None or not fav.stats.n or fav.stats.all_censored:
        return
    budget = max((r.max_epochs for r in base.runs), default=0)
    words = budget_words(claim, fav.stats, budget)
    if words:
        result["budget"] = words
        result["reason"] += " " + words


def _apply_edges(claim: Claim, fav: ArmResult, base: ArmResult, result: dict) -> None:
    """A verdict that the arm whose improvement could flip it has at its grid's edge."""
    verdict = result["verdict"]
    could_flip = base if verdict == REPRODUCED else fav if verdict == NOT_REPRODUCED else None
    if could_flip is None or not could_flip.at_edge:
        return
    add = {key: edge_value(could_flip, key) for key in could_flip.at_edge}
    words = grid_edge_words(could_flip, verdict, add)
    result |= {"verdict": INCONCLUSIVE, "was": verdict, "edge": add, "decide": words}
    result["reason"] += " Inconclusive: " + words


def _judge_parts(claim: Claim, by_label: dict[str, ArmResult]) -> list[dict[str, Any]]:
    """The claim's secondary comparisons, where their arms ran."""
    judged = []
    for part in claim.parts:
        better = next((by_label[x] for x in part.better if x in by_label), None)
        worse = next((by_label[x] for x in part.worse if x in by_label), None)
        if better and worse:
            judged.append(
                judge_part(part, better.of(part.metric), worse.of(part.metric), claim.is_paired)
            )
    return judged
