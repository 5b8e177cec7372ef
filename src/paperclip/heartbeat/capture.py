"""One run's output on its way to the run log: capped, so an agent printing without end costs the
server neither disk, memory nor time that other runs need.

The first part of the output is written as it comes, until the log holds `max_bytes - tail_bytes`;
after that only the last `tail_bytes` are kept, in memory (dropping older chunks costs O(1)), and
written when the run ends behind a line saying how many bytes were dropped. Every chunk passes the
run's mask before it is written. The last few KiB of stdout and stderr are kept for the run's
excerpts either way.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable
from datetime import UTC, datetime

from paperclip.heartbeat.logstore import LogHandle, RunLogStore

OFF_LOOP_BYTES = 64 * 1024  # larger pieces are masked and written in a worker thread


class _Chunks:
    """The newest chunks of a stream whose total stays near `limit` bytes."""

    def __init__(self, limit: int):
        self.limit = limit
        self.items: collections.deque[tuple[str, str, datetime | None, int]] = collections.deque()
        self.size = 0
        self.dropped = 0

    def add(self, stream: str, text: str, at: datetime | None, size: int) -> None:
        self.items.append((stream, text, at, size))
        self.size += size
        while len(self.items) > 1 and self.size - self.items[0][3] >= self.limit:
            removed = self.items.popleft()[3]
            self.size -= removed
            self.dropped += removed
        if self.size > self.limit:  # the oldest kept chunk loses its beginning: the tail never exceeds the limit
            stream, text, at, size = self.items[0]
            keep = _last_bytes(text, size - (self.size - self.limit))
            kept = len(keep.encode("utf-8", errors="replace"))
            self.items[0] = (stream, keep, at, kept)
            self.dropped += size - kept
            self.size -= size - kept

    def text(self) -> str:
        return "".join(item[1] for item in self.items)


class CappedRunLog:
    def __init__(self, store: RunLogStore, handle: LogHandle, mask: Callable[[str], str], *, max_bytes: int,
                 tail_bytes: int, excerpt_bytes: int):
        self.store = store
        self.handle = handle
        self.mask = mask
        self.head_bytes = max(0, max_bytes - tail_bytes)
        self.tail_bytes = tail_bytes
        self.tail: _Chunks | None = None  # once the head is full
        self.excerpts = {"stdout": _Chunks(excerpt_bytes), "stderr": _Chunks(excerpt_bytes)}

    async def add(self, stream: str, text: str) -> None:
        excerpt = self.excerpts.get(stream)
        if excerpt is not None:
            excerpt.add(stream, text, None, len(text))
        if self.tail is None:
            room = self.head_bytes - self.handle.bytes
            if room > 0:
                head = _first_bytes(text, room)
                if len(head) > OFF_LOOP_BYTES:  # masking and encoding a large chunk: ~20 ms per MB
                    await asyncio.to_thread(self._write, stream, head)
                else:
                    self._write(stream, head)
                text = text[len(head):]
                if not text:
                    return
            self.tail = _Chunks(self.tail_bytes)
        self.tail.add(stream, text, datetime.now(UTC), len(text.encode("utf-8", errors="replace")))

    def _write(self, stream: str, text: str, at: datetime | None = None) -> None:
        self.store.append(self.handle, stream, self.mask(text), at)

    def excerpt(self, stream: str) -> str:
        return self.excerpts[stream].text()

    async def close(self) -> None:
        """Writes the kept tail (with the note of what was dropped) and closes the log."""
        tail = self.tail
        try:
            if tail is not None and tail.items:
                if tail.size > OFF_LOOP_BYTES:
                    await asyncio.to_thread(self._write_tail, tail)
                else:
                    self._write_tail(tail)
        finally:
            self.store.finalize(self.handle)

    def _write_tail(self, tail: _Chunks) -> None:
        if tail.dropped:
            first_kept = tail.items[0][2]
            self.store.append(self.handle, "system",
                              f"[paperclip] {tail.dropped} bytes of output dropped here: a run's log keeps its first "
                              f"{self.head_bytes} and last {self.tail_bytes} bytes (PAPERCLIP_RUN_LOG_MAX_BYTES)\n",
                              first_kept)
        for stream, text, at, _size in tail.items:
            self._write(stream, text, at)


def _first_bytes(text: str, limit: int) -> str:
    """The longest beginning of `text` whose UTF-8 form has at most `limit` bytes."""
    if len(text) * 4 <= limit:
        return text
    return text.encode("utf-8", errors="replace")[:limit].decode("utf-8", errors="ignore")


def _last_bytes(text: str, limit: int) -> str:
    """The longest end of `text` whose UTF-8 form has at most `limit` bytes."""
    if limit <= 0:
        return ""
    return text.encode("utf-8", errors="replace")[-limit:].decode("utf-8", errors="ignore")
