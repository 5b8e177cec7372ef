"""A run's cost in cents from the adapter's reported USD. The run's cost event itself is recorded
by the costs feature (`costs.service.record_run_cost`) when the run ends (heartbeat/finalize.py)."""

from __future__ import annotations


def cost_cents(cost_usd: float | None) -> int:
    if not cost_usd or cost_usd < 0:
        return 0
    return int(round(cost_usd * 100))
