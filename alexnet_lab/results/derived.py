"""A sweep read off another sweep's runs under another claim: C7 from C5's crop-trained runs.

A folder that holds ``derived.json`` is a sweep without runs of its own::

    {"claim": "C7", "from": "../c5_cpu", "where": {"data.augmentation.random_crop": true}}

Its records are the runs of the sweep ``from`` (relative to the folder) whose record has the
value ``where`` names at each dotted key, reported as ``claim`` (that claim's arm group; the
source's select and replicate keys). The paper's ten-patch claim (C7) tests the weights of runs
trained on random crops twice, on the centre crop and on the ten patches: C5's crop-trained
runs already did, so ``alexnet-lab-report C5_SWEEP --claim C7`` writes such a folder beside
C5's sweep and reports it, without training again. Its report, summary and figures are its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alexnet_lab.errors import UserError
from alexnet_lab.record.files import RecordError, RunRecord, read_records
from alexnet_lab.results.verdict.claims import CLAIMS

DERIVED = "derived.json"


def readable_claims() -> dict[str, dict[str, Any]]:
    """The claims that can be read off another sweep's runs, each with the runs it keeps."""
    return {cid: dict(c.read_off_runs) for cid, c in CLAIMS.items() if c.read_off_runs}


def derived_spec(sweep_dir: Path) -> dict[str, Any] | None:
    """The ``derived.json`` of a sweep read off another's runs (claim, from, where), else None."""
    path = Path(sweep_dir) / DERIVED
    return json.loads(path.read_text()) if path.is_file() else None


def _value(data: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)  # type: ignore[assignment]
    return data


def folder_records(sweep_dir: Path) -> tuple[list[RunRecord], list[RecordError]]:
    """The run records of a sweep folder, and those that cannot be read.

    A derived sweep's are its source's that match its ``where``, recast as its claim.
    """
    sweep_dir = Path(sweep_dir)
    spec = derived_spec(sweep_dir)
    if spec is None:
        return read_records(sweep_dir)
    claim = CLAIMS[spec["claim"]]
    source = (sweep_dir / spec["from"]).resolve()
    records, unreadable = read_records(source)
    where = spec.get("where") or {}
    kept = [r for r in records if all(_value(r.to_dict(), k) == v for k, v in where.items())]
    recast = [r.replace(claim=claim.id, report={**r.report, "arm_group": claim.key}) for r in kept]
    return recast, unreadable


def write_derived(source: Path, claim_id: str) -> Path:
    """Write the folder that reads ``claim_id`` off the sweep ``source``; its path.

    The folder is ``<source>-<claim>`` beside the source (``c5_cpu-c7``); a UserError names
    the claims that can be read off another sweep when ``claim_id`` is not one of them.
    """
    source = Path(source)
    claim_id = claim_id.upper()
    where = readable_claims()
    if claim_id not in where:
        raise UserError(
            f"--claim {claim_id}: only {', '.join(sorted(where))} can be read off another "
            "sweep's runs (C7: the ten patches against the centre crop, on runs trained on "
            "random crops and tested on both views). Give the sweep folder alone for its own "
            "claim's report."
        )
    if not read_records(source)[0]:
        raise FileNotFoundError(f"no run records (record.json) below {source}")
    folder = source.parent / f"{source.name}-{claim_id.lower()}"
    folder.mkdir(exist_ok=True)
    spec = {"claim": claim_id, "from": f"../{source.name}", "where": where[claim_id]}
    (folder / DERIVED).write_text(json.dumps(spec, indent=2) + "\n")
    return folder
