"""recovery actions by issue (the detail's executionBlocker: an issue's latest action)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 05:35:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "issue_recovery_actions_source_issue_idx",
        "issue_recovery_actions",
        ["source_issue_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("issue_recovery_actions_source_issue_idx", table_name="issue_recovery_actions")
