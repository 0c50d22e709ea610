"""The results page (``alexnet-lab-report --all ROOT --out DIR``) and the paper-report PNG."""

import re

from alexnet_lab.record.files import write_record
from alexnet_lab.results.page.page import build_results_page
from alexnet_lab.results.page.paper_report import paper_rows
from alexnet_lab.results.report import main
from alexnet_lab.results.verdict.claims import CLAIMS
from tests.records import curve, make_record
from tests.unit.test_report import c1_records

CPU = {"cpu": "Example CPU", "cpu_count": 2, "torch_threads": 2, "gpus": [], "gpu_count": 0,
       "torch": "2.0", "lightning": "2.1"}  # fmt: skip
GPU = dict(CPU, gpus=["NVIDIA H100 80GB HBM3"], gpu_count=1)


def write_sweep(folder, records, machine=None, start="2026-11-20T10:00:00+00:00"):
    for i, record in enumerate(records):
        record.started_at = start
        record.finished_at = start.replace("T10:00", f"T10:{i + 1:02d}")
        if machine and i % 2 == 0:  # the others: older records, without a machine
            record.machine = machine
        write_record(folder / str(i) / "record.json", record)


def pooling_records():
    return [
        make_record([f"pooling={arm}"], s, curve(3), top1=top1 + 0.001 * s, select=(), claim="C3")
        for arm, top1 in (("overlap", 0.20), ("nonoverlap", 0.25))
        for s in range(3)
    ]


def fabricate(root):
    write_sweep(root / "c3" / "gpu", pooling_records(), machine=GPU)
    write_sweep(root / "c1", c1_records([2, 2, 2], [6, 7, 6]), machine=CPU)
    (root / "broken" / "0").mkdir(parents=True)
    (root / "broken" / "0" / "record.json").write_text("{not json")


def test_the_page_lists_every_claim_with_its_numbers_settings_machine_time_and_figures(tmp_path):
    root, out = tmp_path / "runs", tmp_path / "docs"
    fabricate(root)
    page = build_results_page(root, out, title="Results")
    text = page.read_text()
    assert text.startswith("# Results\n") and "Regenerate with:* `alexnet-lab-report --all" in text
    table = text[text.index("| claim | paper |") : text.index("![paper vs measured]")]
    c1_row, c3_row = (line for line in table.splitlines() if line.startswith("| C"))
    assert c1_row.startswith("| C1 |") and c3_row.startswith("| C3 |")  # by claim id
    # where training starts from tells two C1 rows apart (init and input scale move C1)
    start = "synthetic (512 train images), init paper, scale raw, 10 epochs, target 25% train"
    assert start in c1_row
    assert c1_row.endswith("| 3 (0, 1, 2) | 0.03 CPU h, CPU (some runs not recorded) |")
    assert " GPU h, GPU NVIDIA H100 80GB HBM3 (2026-11-20) |" in c3_row
    c1 = text[text.index("### C1") : text.index("### C3")]
    assert f"- **Paper:** {CLAIMS['C1'].paper}" in c1
    assert re.search(r"- \*\*Measured:\*\* \d\.\d\dx \(95% interval", c1)
    assert "relu 2 ± 0 (n=3, optim.lr=0.1); tanh 6.33 ± 0.58 (n=3, optim.lr=0.1)" in c1
    # reproduced on the values, but tanh's best lr is the grid's top: a larger one could flip it
    assert "- **Verdict:** **inconclusive**." in c1 and "add optim.lr=1 to its grid" in c1
    assert "model convnet4; data synthetic; 512 train images; init paper; scale raw" in c1
    assert "optim.lr grid 0.01, 0.1; seeds 0, 1, 2; 10 epochs; target 25% train error" in c1
    assert "- **Machine:** CPU Example CPU, 2 cores, 2 torch threads (torch 2.0, lightning " in c1
    assert "not recorded (6 runs)" in c1
    # 12 runs of 10 one-second epochs; the last of them finished 12 minutes after the first
    assert "- **Wall time:** 2m 00s of training (epoch seconds summed over 12 runs); " in c1
    assert "12m 00s from first start (2026-11-20 10:00 UTC)" in c1
    c3 = text[text.index("### C3") :]
    assert "> GPU run: NVIDIA H100 80GB HBM3, 2026-11-20" in c3
    assert "(`c3/gpu`)" in c3 and "[c3-gpu-report.md](c3-gpu-report.md)" in c3
    # paper_report.md beside the page links the copied reports too, not the runs' folder
    assert "[c3/gpu/report.md](c3-gpu-report.md)" in (out / "paper_report.md").read_text()
    links = re.findall(r"!\[[^]]*\]\(([^)]+)\)", text)
    assert "c1-training_curves.png" in links and "c3-gpu-final_errors.png" in links
    assert "paper_report.png" in links and all((out / name).is_file() for name in links)
    # the sweep's own report ships beside the page, its figure links pointing at the copies
    copied = re.findall(r"\]\(([\w.-]+\.png)\)", (out / "c3-gpu-report.md").read_text())
    assert copied and all(name.startswith("c3-gpu-") and (out / name).is_file() for name in copied)
    left_out = text[text.index("## Sweeps left out") : text.index("## Claims")]
    assert "`broken`" in left_out and "not valid JSON" in left_out


def test_the_paper_rows_carry_the_data_its_size_and_the_target(tmp_path):
    fabricate(tmp_path)
    rows, broken = paper_rows(tmp_path)
    assert [b["sweep"] for b in broken] == ["broken"]
    c1 = next(r for r in rows if r["claim"] == "C1")
    assert (c1["data"], c1["train_size"]) == ("synthetic", "512")
    assert c1["start"] == "init paper, scale raw"
    assert c1["budget"] == "10 epochs, target 25% train error"


def test_the_cli_writes_the_page_and_reuses_fresh_summaries(tmp_path, capsys):
    root, out = tmp_path / "runs", tmp_path / "docs"
    write_sweep(root / "c3", pooling_records())
    main(["--all", str(root), "--out", str(out), "--title", "Mine"])
    assert f"results page: {out / 'results.md'}" in capsys.readouterr().out.replace("\n", "")
    text = (out / "results.md").read_text()
    assert text.startswith("# Mine") and f"--out {out} --title Mine`" in text
    assert "- **Machine:** not recorded" in text and " CPU h, not recorded |" in text
    summary = root / "c3" / "summary.json"
    before = summary.stat().st_mtime_ns
    main(["--all", str(root), "--out", str(out), "--quiet"])
    assert summary.stat().st_mtime_ns == before  # newer than its records: read, not rebuilt
    assert (out / "paper_report.png").read_bytes()[:4] == b"\x89PNG"


def test_a_claim_without_runs_is_listed_with_the_command_that_runs_it():
    from alexnet_lab.configs import claim_experiments
    from alexnet_lab.results.page.page_summary import not_run_lines

    assert claim_experiments()["C2"] == "lrn" and claim_experiments()["C1"] == "relu_vs_tanh"
    lines = not_run_lines(["C2", "C6"])
    assert lines[0] == "## Not run here"
    assert any(
        line.startswith("- C2 (") and "`alexnet-lab experiment=lrn`" in line for line in lines
    )
    assert any("`alexnet-lab experiment=towers`" in line for line in lines)
    assert "cannot be shown here" not in lines[2]
    cpu = not_run_lines(["C2"], on_cpu=True)  # a page whose runs trained on CPUs only
    assert "cannot be shown here" in cpu[2] and "on a GPU each is one command" in cpu[2]
    assert any("`alexnet-lab experiment=cpu/lrn`" in line for line in cpu)


def test_arms_that_ran_their_own_lr_grids_are_listed_each_with_its_own():
    from alexnet_lab.results.page.page import arm_grids

    def summary(relu, tanh):
        arms = [
            {"arm": "relu", "grid": {"optim.lr": relu}},
            {"arm": "tanh", "grid": {"optim.lr": tanh}},
        ]
        return {"settings": [{"arms": arms}]}

    own = arm_grids(summary(["0.001", "0.003"], ["0.03", "0.1"]), "optim.lr")
    assert own == "relu 0.001, 0.003; tanh 0.03, 0.1"
    assert arm_grids(summary(["0.01"], ["0.01"]), "optim.lr") is None  # one shared grid


def test_a_verdicts_warning_is_listed_under_it_named_by_setting_when_there_are_several():
    from alexnet_lab.results.page.page import warning_lines

    edge = "best value at the grid's edge: widen the grid; ...: tanh (optim.lr)"
    one = {"settings": [{"label": "all runs", "verdict": {"warning": edge}}]}
    assert warning_lines(one) == [f"  - {edge}"]
    two = {"settings": [{"label": "init=paper", "verdict": {"warning": edge}},
                        {"label": "init=torch", "verdict": {"verdict": "reproduced"}}]}  # fmt: skip
    assert warning_lines(two) == [f"  - init=paper: {edge}"]


def test_a_select_key_held_at_one_value_is_named_not_a_question_mark():
    from alexnet_lab.results.page.page import settings_text

    fixed = {"model": "convnet4", "data": "cifar10", "init": "paper", "scale": "raw", "lr": 0.003,
             "max_epochs": 20, "training images": 50000}  # fmt: skip
    arms = [{"arm": "relu", "grid": {"optim.lr": ["0.003"]}}]
    summary = {"what_ran": {"fixed": fixed, "varied": {}, "seeds": [0]},
               "select_keys": ["optim.lr"], "settings": [{"arms": arms}]}  # fmt: skip
    text = settings_text(summary)
    assert "optim.lr grid 0.003;" in text and "?" not in text
    assert "init paper; scale raw" in text and "50,000 train images" in text


def test_the_wall_time_counts_one_run_in_the_singular():
    from alexnet_lab.results.page.page_facts import wall_text

    facts = {"train_seconds": 60.0, "runs": 1, "span_seconds": None}
    assert wall_text(facts) == "1m 00s of training (epoch seconds summed over 1 run)"
    assert wall_text(facts | {"runs": 2}).endswith("summed over 2 runs)")
