"""Adapter registry: the built-ins plus any registered under the `paperclip.adapters` entry-point group.

A third-party package adds one with, in its pyproject.toml:

    [project.entry-points."paperclip.adapters"]
    droid_local = "paperclip_droid:DroidAdapter"

The entry point names a class (instantiated without arguments) or an adapter instance.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from paperclip.adapters.base import Adapter

log = logging.getLogger("paperclip.adapters")
ENTRY_POINT_GROUP = "paperclip.adapters"

_registry: dict[str, Adapter] | None = None


def _builtins() -> dict[str, Adapter]:
    from paperclip.adapters.claude_local import ClaudeLocalAdapter
    from paperclip.adapters.codex_local import CodexLocalAdapter
    from paperclip.adapters.http import HttpAdapter
    from paperclip.adapters.process import ProcessAdapter

    return {a.type: a for a in (ProcessAdapter(), HttpAdapter(), ClaudeLocalAdapter(), CodexLocalAdapter())}


def _load() -> dict[str, Adapter]:
    adapters = _builtins()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            adapter = obj() if isinstance(obj, type) else obj
            adapters[getattr(adapter, "type", ep.name) or ep.name] = adapter
        except Exception:  # a broken plugin must not take the server down
            log.exception("Could not load adapter %r from entry point %s", ep.name, ep.value)
    return adapters


def adapters() -> dict[str, Adapter]:
    global _registry
    if _registry is None:
        _registry = _load()
    return _registry


def get_adapter(adapter_type: str) -> Adapter | None:
    return adapters().get(adapter_type)


def register(adapter: Adapter) -> None:
    """Add or replace an adapter at run time (tests, embedding applications)."""
    adapters()[adapter.type] = adapter
