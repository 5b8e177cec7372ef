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

from paperclip.db.rawsql import Sql

KIND = "active_run_watchdog"
CAUSE = "legacy_execution_requires_reconciliation"
NEXT_ACTION = (
    "Inspect the stopped provider and recorded actions, then reconcile their outcomes before continuing. "
    "This adapter has not established a safe resume checkpoint."
)

_OPEN = Sql(f"""
    INSERT INTO issue_recovery_actions (
        company_id, source_issue_id, run_id, kind, status, owner_type, return_owner_agent_id, cause,
        fingerprint, evidence, next_action, attempt_count, max_attempts, last_attempt_at, created_at, updated_at)
    SELECT i.company_id, i.id, r.id, '{KIND}', 'active', 'board', r.agent_id, '{CAUSE}',
           'legacy-execution:' || r.id::text,
           jsonb_build_object('runId', r.id, 'attempt', 1, 'adapterRecovery', 'unsupported_or_unknown',
                              'originalFailureCode',
                              coalesce(CASE WHEN r.status <> 'running' THEN r.error_code END, inp.error_code)),
           :next_action, 1, 3, :now, :now, :now
    FROM unnest(CAST(:ids AS uuid[]), CAST(:codes AS text[])) AS inp(run_id, error_code)
    JOIN heartbeat_runs r ON r.id = inp.run_id AND r.status <> 'succeeded'
    JOIN issues i ON i.company_id = r.company_id AND i.status = 'in_progress'
                 AND (i.checkout_run_id = inp.run_id OR i.execution_run_id = inp.run_id)
    ORDER BY i.id
    ON CONFLICT DO NOTHING
""")


async def open_for_ended_runs(
    session, failing: Sequence[tuple[uuid.UUID, str | None]], *, now: datetime
) -> int:
    """`failing`: `(run id, error code)` of runs ending failed, timed out or cancelled. Returns how
    many actions were opened."""
    if not failing:
        return 0
    return await _OPEN.execute(
        session,
        ids=[run_id for run_id, _ in failing],
        codes=[code for _, code in failing],
        next_action=NEXT_ACTION,
        now=now,
    )
