"""Timer due-ness is a pure function of `now` and the agent's policy."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from paperclip.heartbeat.policy import heartbeat_policy
from paperclip.heartbeat.timers import TimerCandidate, due_agents, is_due

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def cand(interval=60, enabled=True, last=None, status="idle", company="active", created=T0) -> TimerCandidate:
    return TimerCandidate(
        uuid.uuid4(),
        uuid.uuid4(),
        status,
        company,
        {"heartbeat": {"enabled": enabled, "intervalSec": interval}},
        last,
        created,
    )


def test_agent_is_due_once_interval_elapsed_since_baseline():
    c = cand(interval=60)
    assert not is_due(c, T0 + timedelta(seconds=59))
    assert is_due(c, T0 + timedelta(seconds=60))


def test_last_heartbeat_is_the_baseline_when_present():
    c = cand(interval=60, last=T0 + timedelta(seconds=100))
    assert not is_due(c, T0 + timedelta(seconds=120))
    assert is_due(c, T0 + timedelta(seconds=160))


def test_disabled_zero_interval_paused_terminated_and_inactive_company_are_never_due():
    later = T0 + timedelta(days=1)
    for c in (
        cand(enabled=False),
        cand(interval=0),
        cand(status="paused"),
        cand(status="terminated"),
        cand(status="pending_approval"),
        cand(company="paused"),
    ):
        assert not is_due(c, later)


def test_short_intervals_are_raised_to_the_minimum():
    assert heartbeat_policy({"heartbeat": {"intervalSec": 5}}).interval_sec == 30
    assert not is_due(cand(interval=5), T0 + timedelta(seconds=10))


def test_due_agents_counts_checked_and_skipped():
    decision = due_agents([cand(), cand(enabled=False), cand(interval=3600)], T0 + timedelta(seconds=61))
    assert (len(decision.due), decision.checked, decision.skipped) == (1, 3, 2)


def test_policy_defaults():
    policy = heartbeat_policy({})
    assert policy.max_concurrent_runs == 1 and policy.wake_on_demand and policy.wake_on_assignment
    assert not heartbeat_policy({"heartbeat": {"wakeOnDemand": False}}).allows("on_demand")
