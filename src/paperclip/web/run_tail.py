"""Following a run's NDJSON log file while it grows (the run log store's local files).

Both live transports read run output this way — the board's server-sent events and the company
websocket — so the runner never does anything for a watcher: it appends to its file as always, and
each watcher reads what is new a few times a second (read side only, whole lines only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

READ_LIMIT = 1_000_000  # bytes per read: a flood of output reaches a watcher in pieces


def log_path(root: Path, company_id: Any, agent_id: Any, run_id: Any, log_ref: str | None) -> Path | None:
    """The run's log file under the run log directory, or None when the reference points elsewhere."""
    ref = log_ref or f"{company_id}/{agent_id}/{run_id}.ndjson"
    path = (root / ref).resolve()
    return path if root.resolve() in path.parents else None


class NdjsonTail:
    """New lines of one log file, as the store wrote them (`{ts, stream, chunk, seq}`)."""

    __slots__ = ("path", "offset")

    def __init__(self, path: Path | None, offset: int = 0):
        self.path, self.offset = path, offset

    def skip_to_end(self) -> None:
        """Only what is written from now on (a watcher that arrives in the middle of a run)."""
        if self.path is None:
            return
        try:
            with open(self.path, "rb") as fh:
                size = fh.seek(0, 2)
                start = max(0, size - 65536)
                fh.seek(start)
                data = fh.read()
        except FileNotFoundError:
            return
        last = data.rfind(b"\n")
        # a line longer than the window: start after it (its tail fails to parse and is skipped)
        self.offset = start + last + 1 if last >= 0 else size

    def read(self, limit: int = READ_LIMIT) -> list[dict[str, Any]]:
        if self.path is None:
            return []
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read(limit)
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        out = []
        for line in data[: end + 1].splitlines():
            try:
                item = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(item, dict):
                out.append(item)
        return out
