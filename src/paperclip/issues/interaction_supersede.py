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
from paperclip.db.rawsql import Sql

SUPERSEDED = "superseded_by_comment"

_SUPERSEDE = Sql(f"""
    UPDATE issue_thread_interactions SET
        status = 'expired',
        result = CASE kind
            WHEN 'ask_user_questions' THEN jsonb_build_object(
                'version', 1, 'answers', '[]'::jsonb, 'expirationReason', '{SUPERSEDED}',
                'commentId', CAST(:comment_id AS text), 'summaryMarkdown', NULL)
            WHEN 'request_item_verdicts' THEN jsonb_build_object(
                'version', 1, 'outcome', '{SUPERSEDED}', 'complete', false,
                'items', coalesce(result -> 'items', '[]'::jsonb), 'commentId', CAST(:comment_id AS text))
            ELSE jsonb_build_object('version', 1, 'outcome', '{SUPERSEDED}', 'commentId', CAST(:comment_id AS text))
        END,
        resolved_by_user_id = CAST(:user_id AS text), resolved_at = :now, updated_at = :now
    WHERE id IN (
        SELECT id FROM issue_thread_interactions
        WHERE issue_id = :issue_id AND status = 'pending'
          AND kind IN ('ask_user_questions', 'request_confirmation', 'request_checkbox_confirmation',
                       'request_item_verdicts')
          AND coalesce(payload ->> 'supersedeOnUserComment', 'true') <> 'false'
        ORDER BY id FOR UPDATE
    )
    RETURNING id, kind, result
""")


async def supersede_on_comment(
    session, actor: Actor, company_id: uuid.UUID, issue_id: uuid.UUID, comment_id: uuid.UUID, now: datetime
) -> int:
    if not actor.is_board:
        return 0
    expired = await _SUPERSEDE.fetch(
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
