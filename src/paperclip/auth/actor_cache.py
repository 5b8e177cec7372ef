"""A short-lived cache of verified session cookies and board API keys (the actor they resolve to).

Resolving a person costs one SQL statement per request (their memberships and roles); for a few
seconds after that the same token resolves from memory. Bounds, so that revocation still holds:

- an entry lives at most TTL_SECONDS (5 s): a session signed out, a key revoked or a membership
  changed through another process (another replica or worker, the CLI) takes effect there within 5 s;
- every mutating request in this process clears the cache when it starts, and lookups made less than
  QUIET_SECONDS after such a request began are not stored (its transaction may not have committed
  yet): a change made through this process takes effect on the next request;
- expiry (a session's or key's `expires_at`) is checked on every hit.
"""

from __future__ import annotations

import time
from typing import Any

TTL_SECONDS = 5.0
QUIET_SECONDS = 1.0
MAX_ENTRIES = 10_000

_entries: dict[str, tuple[float, Any, Any]] = {}  # key -> (stored at, expires_at, actor)
_last_write = 0.0


def get(key: str) -> tuple[Any, Any] | None:
    """(expires_at, actor) of a fresh entry, or None."""
    entry = _entries.get(key)
    if entry is None:
        return None
    if time.monotonic() - entry[0] > TTL_SECONDS:
        _entries.pop(key, None)
        return None
    return entry[1], entry[2]


def put(key: str, expires_at: Any, actor: Any) -> None:
    now = time.monotonic()
    if now - _last_write < QUIET_SECONDS:
        return
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (now, expires_at, actor)


def forget(key: str) -> None:
    _entries.pop(key, None)


def writes_started() -> None:
    """A mutating request begins: whatever it changes must not be served from memory."""
    global _last_write
    _last_write = time.monotonic()
    _entries.clear()


def clear() -> None:
    _entries.clear()
