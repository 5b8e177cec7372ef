"""What a run that ended without success leaves on the issue it held: a recovery action (the
original's `legacy_execution_requires_reconciliation`), opened in the transaction that ends the run
(`lifecycle.end_runs`), before the run's issue locks are cleared. The board resolves it
(`issues/recovery.py`), or the scheduler settles it by blocking the issue.

An issue the run held (its checkout or execution lock) and still `in_progress` gets one active action;
an issue that already has one, or a run that already opened one (the fingerprint), gets nothing more.
Inserting takes only a key-share lock on the issue row, so the lock order of ending a run holds
(agents, runs, then issues)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from paperclip.runs import queries

KIND = "active_run_watchdog"
CAUSE = "legacy_execution_requires_reconciliation"
NEXT_ACTION = (
    "Inspect the stopped provider and recorded actions, then reconcile their outcomes before continuing. "
    "This adapter has not established a safe resume checkpoint."
)


async def open_for_ended_runs(
    session, failing: Sequence[tuple[uuid.UUID, str | None]], *, now: datetime
) -> int:
    """`failing`: `(run id, error code)` of runs ending failed, timed out or cancelled. Returns how
    many actions were opened."""
    if not failing:
        return 0
    return await queries.OPEN_RECOVERY_ACTIONS.execute(
        session,
        kind=KIND,
        cause=CAUSE,
        ids=[run_id for run_id, _ in failing],
        codes=[code for _, code in failing],
        next_action=NEXT_ACTION,
        now=now,
    )
