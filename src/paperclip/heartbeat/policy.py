"""Per-agent heartbeat policy from `runtime_config.heartbeat` (core §5.2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MIN_INTERVAL_SEC = 30


@dataclass(frozen=True)
class HeartbeatPolicy:
    enabled: bool = True
    interval_sec: int = 0
    wake_on_assignment: bool = True
    wake_on_demand: bool = True
    wake_on_automation: bool = True
    max_concurrent_runs: int = 1
    fresh_session_wake_reasons: tuple[str, ...] = ()

    def allows(self, source: str) -> bool:
        return {
            "assignment": self.wake_on_assignment,
            "on_demand": self.wake_on_demand,
            "automation": self.wake_on_automation,
            "timer": self.enabled and self.interval_sec > 0,
        }.get(source, True)


def _bool(raw: Mapping[str, Any], *keys: str, default: bool = True) -> bool:
    for key in keys:
        if key in raw and raw[key] is not None:
            value = raw[key]
            if isinstance(value, str):
                return value.strip().lower() not in ("false", "0", "no", "off")
            return bool(value)
    return default


def _int(raw: Mapping[str, Any], key: str, default: int) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or value is None:
        return default
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def heartbeat_policy(runtime_config: Mapping[str, Any] | None) -> HeartbeatPolicy:
    raw = (runtime_config or {}).get("heartbeat") or {}
    if not isinstance(raw, Mapping):
        raw = {}
    interval = max(_int(raw, "intervalSec", 0), 0)
    if 0 < interval < MIN_INTERVAL_SEC:
        interval = MIN_INTERVAL_SEC
    reasons = raw.get("freshSessionWakeReasons") or ()
    return HeartbeatPolicy(
        enabled=_bool(raw, "enabled"),
        interval_sec=interval,
        wake_on_assignment=_bool(raw, "wakeOnAssignment"),
        wake_on_demand=_bool(raw, "wakeOnOnDemand", "wakeOnDemand"),
        wake_on_automation=_bool(raw, "wakeOnAutomation"),
        max_concurrent_runs=max(_int(raw, "maxConcurrentRuns", 1), 1),
        fresh_session_wake_reasons=tuple(str(r) for r in reasons if isinstance(r, str)),
    )
