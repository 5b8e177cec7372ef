"""One run's output on its way to the run log: capped, so an agent printing without end costs the
server neither disk, memory nor time that other runs need.

The first part of the output is masked and written as it comes, until the log holds
`max_bytes - tail_bytes`; after that only the newest chunks (about `tail_bytes`) are kept, raw, in
memory — a chunk dropped costs O(1) and is never masked — and when the run ends they are masked and
written behind a line saying how many bytes were dropped. Masking is per stream and in order
(`Masker.stream()`: a secret split across two chunks is still masked); after a drop, the masking of
the kept chunks starts from the last dropped chunk of the stream, so a secret cut by the drop is
masked too. Excerpts (the last few KiB of stdout and stderr) come from the masked text.
"""

from __future__ import annotations

import asyncio
import collections
from datetime import UTC, datetime

from paperclip.heartbeat.env import Masker, StreamMask
from paperclip.heartbeat.logstore import LogHandle, RunLogStore

OFF_LOOP_CHARS = 64 * 1024  # larger pieces are masked and written in a worker thread


class _Excerpt:
    """The last `limit` characters of a stream (at least its last chunk), with a running size."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: collections.deque[str] = collections.deque()
        self.size = 0

    def add(self, text: str) -> None:
        if not text:
            return
        self.parts.append(text)
        self.size += len(text)
        while len(self.parts) > 1 and self.size - len(self.parts[0]) >= self.limit:
            self.size -= len(self.parts.popleft())

    def text(self) -> str:
        return "".join(self.parts)


class CappedRunLog:
    def __init__(
        self,
        store: RunLogStore,
        handle: LogHandle,
        masker: Masker,
        *,
        max_bytes: int,
        tail_bytes: int,
        excerpt_bytes: int,
    ):
        self.store = store
        self.handle = handle
        self.masker = masker
        self.head_bytes = max(0, max_bytes - tail_bytes)
        self.tail_bytes = tail_bytes
        self.masks: dict[str, StreamMask] = {}
        # Once the head is full: (stream, text, at, bytes, already masked) of the newest chunks.
        self.tail: collections.deque[tuple[str, str, datetime, int, bool]] | None = None
        self.tail_size = 0
        self.dropped = 0
        self.last_dropped: dict[str, str] = {}  # per stream: the raw chunk dropped last (masking context)
        self.excerpts = {"stdout": _Excerpt(excerpt_bytes), "stderr": _Excerpt(excerpt_bytes)}

    def _mask(self, stream: str) -> StreamMask:
        mask = self.masks.get(stream)
        if mask is None:
            mask = self.masks[stream] = self.masker.stream()
        return mask

    async def add(self, stream: str, text: str) -> None:
        if self.tail is None:
            room = self.head_bytes - self.handle.bytes
            if room > 0:
                mask = self._mask(stream)
                # masking a large chunk costs ~20 ms per MB: not on the event loop
                masked = (
                    await asyncio.to_thread(mask.feed, text)
                    if len(text) > OFF_LOOP_CHARS
                    else mask.feed(text)
                )
                head = _first_bytes(masked, room)
                self._write(stream, head)
                rest = masked[len(head) :]
                if not rest:
                    return
                self.tail = collections.deque()
                self._keep(stream, rest, True)
                return
            self.tail = collections.deque()
        self._keep(stream, text, False)

    def _keep(self, stream: str, text: str, masked: bool) -> None:
        size = len(text.encode("utf-8", errors="replace"))
        self.tail.append((stream, text, datetime.now(UTC), size, masked))
        self.tail_size += size
        while len(self.tail) > 1 and self.tail_size - self.tail[0][3] >= self.tail_bytes:
            old_stream, old_text, _at, old_size, old_masked = self.tail.popleft()
            self.tail_size -= old_size
            self.dropped += old_size
            if not old_masked:
                self.last_dropped[old_stream] = old_text

    def _write(self, stream: str, text: str, at: datetime | None = None) -> None:
        if not text:
            return
        self.store.append(self.handle, stream, text, at)
        excerpt = self.excerpts.get(stream)
        if excerpt is not None:
            excerpt.add(text)

    def excerpt(self, stream: str) -> str:
        return self.excerpts[stream].text()

    async def close(self) -> None:
        """Writes the kept tail (behind the note of what was dropped), the masks' held-back ends, and
        closes the log."""
        try:
            if self.tail:
                if self.tail_size > OFF_LOOP_CHARS:
                    await asyncio.to_thread(self._write_tail)
                else:
                    self._write_tail()
            for stream, mask in self.masks.items():
                self._write(stream, mask.flush())
        finally:
            self.store.finalize(self.handle)

    def _write_tail(self) -> None:
        if self.dropped:
            # A held-back end of the head was cut off from what follows it: it goes with the drop.
            for stream, mask in list(self.masks.items()):
                held = mask.carry
                self.dropped += len(held.encode("utf-8", errors="replace"))
                self.masks[stream] = self.masker.stream()
            for stream, raw in self.last_dropped.items():
                self._mask(stream).feed(raw)  # context only: a secret cut by the drop is masked whole
        pieces: list[tuple[str, str, datetime]] = []
        for stream, text, at, _size, masked in self.tail:
            pieces.append((stream, text if masked else self._mask(stream).feed(text), at))
        size = sum(len(text.encode("utf-8", errors="replace")) for _s, text, _a in pieces)
        while pieces and size > self.tail_bytes and self.dropped:  # masked, so any cut is safe
            stream, text, at = pieces[0]
            cut = _last_bytes(text, len(text.encode("utf-8", errors="replace")) - (size - self.tail_bytes))
            removed = len(text.encode("utf-8", errors="replace")) - len(cut.encode("utf-8", errors="replace"))
            self.dropped += removed
            size -= removed
            if cut:
                pieces[0] = (stream, cut, at)
            else:
                pieces.pop(0)
        if self.dropped:
            self.store.append(
                self.handle,
                "system",
                f"[paperclip] {self.dropped} bytes of output dropped here: a run's log keeps its first "
                f"{self.head_bytes} and last {self.tail_bytes} bytes (PAPERCLIP_RUN_LOG_MAX_BYTES)\n",
                pieces[0][2] if pieces else None,
            )
        for stream, text, at in pieces:
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
