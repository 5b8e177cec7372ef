"""Run logs live outside the database, behind a small interface (core §5.8).

`LocalFileRunLogStore` writes NDJSON lines `{"ts","stream","chunk","seq"}` (the original's format)
under the instance's `data/run-logs/<company>/<agent>/<run>.ndjson`; an object-store
implementation only needs the same four methods.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

DEFAULT_PAGE_BYTES = 256_000
_PLAIN_ID = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_PAGE_BYTES = 4 * 1024 * 1024


@dataclass
class LogHandle:
    ref: str
    path: Path | None = None
    fh: object | None = None
    bytes: int = 0
    seq: int = 0
    digest: object = field(default_factory=hashlib.sha256)

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


@dataclass(frozen=True)
class LogPage:
    content: str
    next_offset: int | None


class RunLogStore(Protocol):
    name: str

    def begin(self, company_id: str, agent_id: str, run_id: str) -> LogHandle: ...

    def append(self, handle: LogHandle, stream: str, chunk: str, at: datetime | None = None) -> None: ...

    def finalize(self, handle: LogHandle) -> None: ...

    def read(self, ref: str, offset: int = 0, limit_bytes: int = DEFAULT_PAGE_BYTES) -> LogPage: ...


class LocalFileRunLogStore:
    name = "local_file"

    def __init__(self, root: Path):
        self.root = Path(root)
        self._dirs: set[Path] = set()  # directories known to exist

    def _path(self, ref: str) -> Path:
        path = (self.root / ref).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("log reference outside the run log directory")
        return path

    def begin(self, company_id: str, agent_id: str, run_id: str) -> LogHandle:
        """Cheap: the file is opened on the first output (a run without output leaves no file; its
        log reads as empty)."""
        ref = f"{company_id}/{agent_id}/{run_id}.ndjson"
        if _PLAIN_ID.match(company_id) and _PLAIN_ID.match(agent_id) and _PLAIN_ID.match(run_id):
            path = self.root / company_id / agent_id / f"{run_id}.ndjson"  # ids: no separators, no dots
        else:
            path = self._path(ref)
        return LogHandle(ref=ref, path=path)

    def _mkdirs(self, parent: Path) -> None:
        """The log directories are the server's alone (0700): run output holds what agents saw."""
        missing = []
        while not parent.exists() and parent != parent.parent:
            missing.append(parent)
            parent = parent.parent
        for directory in reversed(missing):
            with contextlib.suppress(FileExistsError):
                directory.mkdir(mode=0o700)

    def _open(self, handle: LogHandle) -> None:
        parent = handle.path.parent
        if parent not in self._dirs:
            self._mkdirs(parent)
            if len(self._dirs) > 10_000:
                self._dirs.clear()
            self._dirs.add(parent)
        try:
            handle.fh = _open_private(handle.path)
        except FileNotFoundError:  # the directory went away meanwhile
            self._mkdirs(parent)
            handle.fh = _open_private(handle.path)
        handle.bytes += os.fstat(handle.fh.fileno()).st_size

    def append(self, handle: LogHandle, stream: str, chunk: str, at: datetime | None = None) -> None:
        if handle.fh is None:
            self._open(handle)
        handle.seq += 1
        ts = (at or datetime.now(UTC)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        line = (
            json.dumps({"ts": ts, "stream": stream, "chunk": chunk, "seq": handle.seq}, ensure_ascii=False)
            + "\n"
        ).encode()
        handle.fh.write(line)
        handle.bytes += len(line)
        handle.digest.update(line)

    def finalize(self, handle: LogHandle) -> None:
        if handle.fh is not None:
            handle.fh.close()
            handle.fh = None

    def read(self, ref: str, offset: int = 0, limit_bytes: int = DEFAULT_PAGE_BYTES) -> LogPage:
        path = self._path(ref)
        limit = max(1, min(limit_bytes, MAX_PAGE_BYTES))
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                offset = max(0, min(offset, size))
                fh.seek(offset)
                data = fh.read(limit)
        except FileNotFoundError:
            return LogPage("", None)
        end = offset + len(data)
        if end < size:
            data = _cut_to_char_boundary(data)
            end = offset + len(data)
        return LogPage(data.decode("utf-8", errors="replace"), end if end < size else None)


def _open_private(path: Path):
    """Append-only, unbuffered, readable by the server's user only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    return os.fdopen(fd, "ab", buffering=0)


def _cut_to_char_boundary(data: bytes) -> bytes:
    """Drop a trailing partial UTF-8 sequence so a page never ends in the middle of a character."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:  # continuation byte: keep looking for the lead byte
            continue
        if byte & 0x80 == 0:
            return data
        needed = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4
        return data if back >= needed else data[:-back]
    return data
