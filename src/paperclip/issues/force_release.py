"""An operator frees an issue whose checkout is stuck (`POST /issues/:id/admin/force-release`).

The lock columns are cleared under the issue's row lock — the same row a checkout's single statement
locks (FOR NO KEY UPDATE) — so a force-release and a checkout racing on one issue are serialised:
a checkout that ran first is what gets released; one that runs after sees the lock gone and may claim
it. The stuck run itself is not touched (it may still be working); once released, its writes to the
issue are refused by the run-ownership check unless its agent re-checks it out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import Issue
from paperclip.issues.checkout import LABELS_OF_ROW
from paperclip.issues.identifiers import find_issue
from paperclip.issues.shapes import issue_to_wire
from paperclip.wire import uid

ISSUES = cast(sa.Table, Issue.__table__)


async def force_release(
    session: AsyncSession, actor: Actor, ref: str, clear_assignee: bool, now: datetime
) -> dict[str, Any]:
    actor.require_authenticated()
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    actor.require_board()
    locked = (
        (await session.execute(sa.select(ISSUES).where(ISSUES.c.id == issue["id"]).with_for_update()))
        .mappings()
        .one()
    )  # re-read under the lock: a checkout may have committed since
    values: dict[str, Any] = dict(
        checkout_run_id=None,
        execution_run_id=None,
        execution_locked_at=None,
        execution_agent_name_key=None,
        updated_at=now,
    )
    if clear_assignee:
        values.update(assignee_agent_id=None, assignee_user_id=None)
    row = (
        (
            await session.execute(
                sa.update(ISSUES)
                .where(ISSUES.c.id == issue["id"])
                .values(**values)
                .returning(ISSUES, LABELS_OF_ROW)
            )
        )
        .mappings()
        .one()
    )
    previous = {
        "checkoutRunId": uid(locked["checkout_run_id"]),
        "executionRunId": uid(locked["execution_run_id"]),
    }
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.admin_force_release",
        entity_type="issue",
        entity_id=issue["id"],
        details={
            "issueId": str(issue["id"]),
            "actorUserId": actor.user_id,
            "clearAssignee": clear_assignee,
            "prevCheckoutRunId": previous["checkoutRunId"],
            "prevExecutionRunId": previous["executionRunId"],
        },
    )
    return {"issue": issue_to_wire(dict(row), row["labels_json"]), "previous": previous}
