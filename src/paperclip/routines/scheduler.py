"""The scheduler's routine tick (core §5.1 `routines.tickScheduledTriggers(now)`): fire the schedule
triggers that are due at `now`, exactly once across replicas.

Exactly once: due trigger rows are claimed together with their routine rows by
`SELECT ... FOR UPDATE OF t, r SKIP LOCKED` in the caller's transaction, and `next_run_at` moves past
`now` in the same transaction as the runs it fired. A second replica ticking at the same time skips
the locked rows, and once the first commits PostgreSQL re-checks `next_run_at <= now` on the new row
version, so the trigger is no longer due. Nothing is timed in memory: a replica that dies mid-tick
rolls back and the next tick (any replica's) fires the same windows. A routine locked by a manual
run at that moment is skipped by this tick and picked up by the next one (no lock-order deadlock).

Catch-up after downtime (the trigger's `next_run_at` lies more than one window behind `now`):
- skip_missed: one run, for the latest due window; older windows are dropped;
- enqueue_missed_with_cap: one run per missed window, oldest first, the latest MISSED_CAP of them.
Each run then meets the routine's concurrency policy like any other firing.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from cronsim import CronSim, CronSimError
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import SYSTEM
from paperclip.db.models import Routine, RoutineTrigger
from paperclip.routines.cron import next_run_after
from paperclip.routines.dispatch import dispatch, record_failure
from paperclip.wire import iso

log = logging.getLogger("paperclip.routines")

MISSED_CAP = 25  # windows caught up per trigger after downtime (enqueue_missed_with_cap)
CLAIM_BATCH = 2000  # triggers claimed per tick; more wait for the next tick


def due_windows(
    expression: str, timezone: str, first_due: datetime, now: datetime, cap: int
) -> list[datetime]:
    """The schedule's run times in [first_due, now], oldest first, at most the latest `cap` of them.
    Walks backwards from now, so a long downtime costs `cap` steps, not one per missed window."""
    zone = ZoneInfo(timezone)
    windows: list[datetime] = []
    walker = CronSim(expression, (now + timedelta(seconds=1)).astimezone(zone), reverse=True)
    for found in walker:
        at = found.astimezone(UTC)
        if at > now:
            continue
        if at < first_due or len(windows) >= cap:
            break
        windows.append(at)
    if not windows:  # the claimed time itself (a schedule edited since, or a zone's odd minute)
        windows.append(first_due)
    return windows[::-1]


def _claim(now: datetime, limit: int):
    return (
        sa.select(RoutineTrigger, Routine)
        .join(Routine, Routine.id == RoutineTrigger.routine_id)
        .where(
            RoutineTrigger.kind == "schedule",
            RoutineTrigger.enabled.is_(True),
            RoutineTrigger.next_run_at.is_not(None),
            RoutineTrigger.next_run_at <= now,
            Routine.status == "active",
        )
        .order_by(RoutineTrigger.next_run_at, RoutineTrigger.id)
        .limit(limit)
        .with_for_update(of=[RoutineTrigger.__table__, Routine.__table__], skip_locked=True)
    )


async def tick_routines(session: AsyncSession, now: datetime, *, limit: int = CLAIM_BATCH) -> dict[str, Any]:
    """Fire every schedule trigger due at `now`; the caller commits. Returns counts by outcome."""
    started = time.perf_counter()
    counts: dict[str, int] = {
        "triggers": 0,
        "runs": 0,
        "issue_created": 0,
        "coalesced": 0,
        "skipped": 0,
        "failed": 0,
    }
    claimed = (await session.execute(_claim(now, limit))).all()
    for trigger, routine in claimed:
        counts["triggers"] += 1
        expression, zone = trigger.cron_expression or "", trigger.timezone or "UTC"
        first_due = trigger.next_run_at
        assert first_due is not None
        try:
            cap = MISSED_CAP if routine.catch_up_policy == "enqueue_missed_with_cap" else 1
            windows = due_windows(expression, zone, first_due, now, cap)
            following = next_run_after(expression, zone, now)
        except (CronSimError, ValueError, KeyError) as exc:  # a schedule stored before a rule changed
            log.warning("routine trigger %s has an unusable schedule (%s): disabled", trigger.id, exc)
            trigger.next_run_at, trigger.last_result = None, f"Failed: unusable schedule ({exc})"
            continue
        for window in windows:
            payload = {"scheduledFor": iso(window)}
            if len(windows) == 1 and window != first_due:
                payload["missedSince"] = iso(first_due)
            fired = await _fire_one(session, routine, trigger, payload, now)
            counts["runs"] += 1
            counts[fired] = counts.get(fired, 0) + 1
        trigger.next_run_at = following
    await session.flush()
    counts["durationMs"] = int((time.perf_counter() - started) * 1000)
    if counts["runs"]:
        log.info("routine tick fired %d runs for %d triggers", counts["runs"], counts["triggers"])
    return counts


async def _fire_one(
    session: AsyncSession, routine: Routine, trigger: RoutineTrigger, payload: dict[str, Any], now: datetime
) -> str:
    """One window's run; an unexpected error fails that run only (its savepoint), never the tick."""
    try:
        async with session.begin_nested():
            fired = await dispatch(
                session, SYSTEM, routine, source="schedule", now=now, trigger=trigger, payload=payload
            )
        return fired.run.status
    except Exception as exc:  # recorded as the run's failure; the other triggers still fire
        log.exception("routine %s: scheduled run failed", routine.id)
        await session.refresh(routine)  # the savepoint's rollback expired what it had changed
        await session.refresh(trigger)
        await record_failure(
            session,
            SYSTEM,
            routine,
            source="schedule",
            now=now,
            trigger=trigger,
            payload=payload,
            reason=f"Internal error: {type(exc).__name__}",
        )
        return "failed"
