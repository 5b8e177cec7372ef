"""Which drivers each adapter can run on here (GET /companies/:id/environments/capabilities)."""

from __future__ import annotations

from typing import Any

from paperclip.adapters.registry import adapters

_DRIVERS = ("local", "ssh", "sandbox", "plugin")


def environment_capabilities() -> dict[str, Any]:
    """Every adapter runs on the local driver only: we have no SSH, sandbox or plugin drivers (the
    original lists SSH and sandbox as supported for its local CLI adapters)."""
    drivers = {d: "supported" if d == "local" else "unsupported" for d in _DRIVERS}
    return {
        "adapters": [
            {"adapterType": kind, "drivers": dict(drivers), "sandboxProviders": {}}
            for kind in sorted(adapters())
        ],
        "drivers": drivers,
        "sandboxProviders": {},
    }
