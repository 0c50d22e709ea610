"""Read an offline W&B run's ``run-<id>.wandb`` file: its run, history rows and exit.

W&B >= 0.19 no longer ships a Python reader for the file, and an offline run writes no
``wandb-summary.json``. The file is a LevelDB-style log (W&B's own 7-byte header, then
32 KiB blocks of chunks, each a 7-byte header: checksum, length, type) of ``Record``
protobufs, which ``wandb.proto`` still parses.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BLOCK = 32768
HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def records(path: Path) -> Iterator[Any]:
    """Every ``wandb_internal_pb2.Record`` in the file, in order."""
    from wandb.proto import wandb_internal_pb2

    data = Path(path).read_bytes()
    assert data[:4] == b":W&B", f"{path} is not a W&B run file"
    pos, chunks = HEADER, b""
    while pos + HEADER <= len(data):
        left = BLOCK - pos % BLOCK
        if left < HEADER:  # the block's tail is padding
            pos += left
            continue
        _, length, kind = struct.unpack("<IHB", data[pos : pos + HEADER])
        if length == 0 and kind == 0:  # zero padding up to the next block
            pos += left
            continue
        chunks += data[pos + HEADER : pos + HEADER + length]
        pos += HEADER + length
        if kind in (FULL, LAST):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(chunks)
            chunks = b""
            yield record


@dataclass
class RunFile:
    """What a test needs from one run: its run record, history rows and exit code."""

    run: Any = None
    history: list[dict[str, Any]] = field(default_factory=list)
    exit_code: int | None = None

    @property
    def start_time(self) -> float:
        """When the run was created (seconds since the epoch)."""
        return self.run.start_time.seconds + self.run.start_time.nanos / 1e9


def read_run(path: Path) -> RunFile:
    """The run, its history rows (``{key: value}``) and its exit code (None: not finished)."""
    found = RunFile()
    for record in records(path):
        kind = record.WhichOneof("record_type")
        if kind == "run":
            found.run = record.run
        elif kind == "history":
            items = record.history.item
            found.history.append({_key(i): json.loads(i.value_json) for i in items})
        elif kind == "exit":
            found.exit_code = record.exit.exit_code
    return found


def _key(item: Any) -> str:
    return "/".join(item.nested_key) if item.nested_key else item.key
