"""CHECK constraints on the status columns (the sets of paperclip.vocabulary as of this revision)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 19:05:00

History: the sets are written out literally, as they were when this revision was made. A later
change of a set is a new revision that drops and re-creates its constraint.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (table, column, condition): constraint ck_<table>_<column>
CHECKS = [
    ('companies', 'status', "status IN ('active', 'archived', 'paused')"),
    ('companies', 'pause_reason', "pause_reason IS NULL OR pause_reason IN ('budget', 'company_archived', 'manual', 'system')"),
    ('agents', 'status', "status IN ('active', 'error', 'idle', 'paused', 'pending_approval', 'running', 'terminated')"),
    ('agents', 'pause_reason', "pause_reason IS NULL OR pause_reason IN ('budget', 'company_archived', 'manual', 'system')"),
    ('projects', 'status', "status IN ('backlog', 'cancelled', 'completed', 'in_progress', 'planned')"),
    ('projects', 'pause_reason', "pause_reason IS NULL OR pause_reason IN ('budget', 'company_archived', 'manual', 'system')"),
    ('goals', 'status', "status IN ('achieved', 'active', 'cancelled', 'planned')"),
    ('issues', 'status', "status IN ('backlog', 'blocked', 'cancelled', 'done', 'in_progress', 'in_review', 'todo')"),
    ('heartbeat_runs', 'status', "status IN ('cancelled', 'failed', 'queued', 'running', 'succeeded', 'timed_out')"),
    ('agent_wakeup_requests', 'status', "status IN ('cancelled', 'claimed', 'coalesced', 'completed', 'deferred_issue_execution', 'failed', 'queued', 'skipped')"),
    ('approvals', 'status', "status IN ('approved', 'cancelled', 'pending', 'rejected', 'revision_requested')"),
    ('budget_incidents', 'status', "status IN ('dismissed', 'open', 'resolved')"),
]


def upgrade() -> None:
    for table, column, condition in CHECKS:
        op.create_check_constraint(op.f(f"ck_{table}_{column}"), table, condition)


def downgrade() -> None:
    for table, column, _condition in reversed(CHECKS):
        op.drop_constraint(op.f(f"ck_{table}_{column}"), table, type_="check")
