"""Timer wake-ups as a pure function of `now`: which agents are due (core §5.1)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from paperclip.heartbeat.policy import HeartbeatPolicy, heartbeat_policy
from paperclip.vocabulary import AGENT_NOT_INVOKABLE


@dataclass(frozen=True)
class TimerCandidate:
    agent_id: uuid.UUID
    company_id: uuid.UUID
    agent_status: str
    company_status: str
    runtime_config: dict[str, Any] | None
    last_heartbeat_at: datetime | None
    created_at: datetime
    policy: HeartbeatPolicy | None = None  # parsed already (candidates sharing a config share one)


@dataclass(frozen=True)
class TimerDecision:
    due: list[TimerCandidate]
    checked: int
    skipped: int


def is_due(candidate: TimerCandidate, now: datetime) -> bool:
    if candidate.agent_status in AGENT_NOT_INVOKABLE or candidate.company_status != "active":
        return False
    policy = candidate.policy or heartbeat_policy(candidate.runtime_config)
    if not policy.enabled or policy.interval_sec <= 0:
        return False
    baseline = candidate.last_heartbeat_at or candidate.created_at
    return now - baseline >= timedelta(seconds=policy.interval_sec)


def due_agents(candidates: Iterable[TimerCandidate], now: datetime) -> TimerDecision:
    checked = 0
    due = []
    for candidate in candidates:
        checked += 1
        if is_due(candidate, now):
            due.append(candidate)
    return TimerDecision(due=due, checked=checked, skipped=checked - len(due))
