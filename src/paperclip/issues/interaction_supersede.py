"""A board user's comment on an issue supersedes its pending questions (the original's behaviour,
checked side by side): every pending interaction whose payload keeps `supersedeOnUserComment` (true
unless the asker turned it off) — questions, confirmations, checkbox confirmations, item verdicts;
never suggested tasks — becomes `expired`, resolved by the commenter, its result naming the comment;
one `issue.thread_interaction_expired` entry each. An agent's comment supersedes nothing.

One statement beside the comment, in its transaction; a resolution racing the comment locks the
same interaction row, so one of them wins and the other finds it no longer pending."""

from __future__ import annotations

import uuid
from datetime import datetime

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.issues import queries

SUPERSEDED = queries.SUPERSEDED  # the outcome / expirationReason of a superseded interaction


async def supersede_on_comment(
    session, actor: Actor, company_id: uuid.UUID, issue_id: uuid.UUID, comment_id: uuid.UUID, now: datetime
) -> int:
    if not actor.is_board:
        return 0
    expired = await queries.SUPERSEDE_ON_COMMENT.fetch(
        session, issue_id=issue_id, comment_id=str(comment_id), user_id=actor.user_id, now=now
    )
    for row in sorted(expired, key=lambda r: str(r["id"])):
        await record(
            session,
            actor,
            company_id=company_id,
            action="issue.thread_interaction_expired",
            entity_type="issue",
            entity_id=issue_id,
            details={
                "result": row["result"],
                "source": "***REDACTED***",  # what the original's log holds here
                "interactionId": str(row["id"]),
                "interactionKind": row["kind"],
                "interactionStatus": "expired",
            },
        )
    return len(expired)
