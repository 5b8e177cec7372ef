"""Feedback votes and their traces (`/issues/:id/feedback-votes`, `/issues/:id/feedback-traces`,
`/companies/:id/feedback-traces`, `/feedback-traces/:id`) at the original's routes and shapes.

A board user votes up or down on what an agent wrote on the issue (a comment or a document revision);
a second vote by the same user on the same target replaces the first (one row per user and target,
an upsert, so two racing votes leave one). The trace is the vote's local record with a summary of the
target taken when the vote was cast. This server shares nothing with anyone: `allowSharing` is
accepted and every trace stays `local_only` (the original may send it to Paperclip Labs).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Annotated, Any, cast

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import (
    Company,
    Document,
    DocumentRevision,
    FeedbackVote,
    Issue,
    IssueComment,
    IssueDocument,
)
from paperclip.db.paging import Window
from paperclip.errors import BadRequest, Forbidden, NotFound, Unprocessable
from paperclip.ids import parse_uuid
from paperclip.issues.identifiers import find_issue, require_company_exists
from paperclip.vocabulary import FeedbackTargetType, FeedbackVoteValue
from paperclip.wire import iso, uid

VOTES = cast(sa.Table, FeedbackVote.__table__)
ISSUES = cast(sa.Table, Issue.__table__)
COMPANIES = cast(sa.Table, Company.__table__)
COMMENTS = cast(sa.Table, IssueComment.__table__)
REVISIONS = cast(sa.Table, DocumentRevision.__table__)
EXCERPT = 280
LOCAL_REDACTION = {
    "strategy": "deterministic_feedback_v2",
    "redactedFields": [],
    "truncatedFields": [],
    "omittedFields": [],
    "notes": ["local_only_trace_stores_metadata_only"],
    "counts": {},
}
TRACE_STATUSES = ("local_only", "pending", "sent", "failed")


class VoteBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    targetType: FeedbackTargetType  # noqa: N815
    targetId: uuid.UUID  # noqa: N815
    vote: FeedbackVoteValue
    reason: Annotated[str, StringConstraints(max_length=1000)] | None = None
    allowSharing: bool | None = None  # noqa: N815


def vote_to_wire(row: Any) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "issueId": str(row["issue_id"]),
        "targetType": row["target_type"],
        "targetId": str(row["target_id"]),
        "authorUserId": row["author_user_id"],
        "vote": row["vote"],
        "reason": row["reason"],
        "sharedWithLabs": False,
        "sharedAt": None,
        "consentVersion": None,
        "redactionSummary": LOCAL_REDACTION,
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
    }


def trace_to_wire(row: Any, include_payload: bool) -> dict[str, Any]:
    return {
        "id": str(row["trace_id"]),
        "companyId": str(row["company_id"]),
        "feedbackVoteId": str(row["id"]),
        "issueId": str(row["issue_id"]),
        "projectId": uid(row["project_id"]),
        "issueIdentifier": row["identifier"],
        "issueTitle": row["title"],
        "authorUserId": row["author_user_id"],
        "targetType": row["target_type"],
        "targetId": str(row["target_id"]),
        "vote": row["vote"],
        "status": "local_only",
        "destination": None,
        "exportId": None,
        "consentVersion": None,
        "schemaVersion": "paperclip-feedback-envelope-v2",
        "bundleVersion": "paperclip-feedback-bundle-v2",
        "payloadVersion": "paperclip-feedback-v1",
        "payloadDigest": row["payload_digest"],
        "payloadSnapshot": _payload(row) if include_payload else None,
        "targetSummary": row["target_summary"],
        "redactionSummary": LOCAL_REDACTION,
        "attemptCount": 0,
        "lastAttemptedAt": None,
        "exportedAt": None,
        "failureReason": None,
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
    }


def _payload(row: Any) -> dict[str, Any]:
    """The trace's payload in the original's shape: the vote, where its target lives and the summary
    taken when it was cast; this server exports nothing, so no bundle, export or consent."""
    summary = row["target_summary"] or {}
    issue_path = f"/{row['issue_prefix']}/issues/{row['identifier']}"
    target: dict[str, Any] = {
        "id": str(row["target_id"]),
        "type": row["target_type"],
        "createdAt": summary.get("createdAt"),
        "issuePath": issue_path,
        "authorUserId": summary.get("authorUserId"),
        "authorAgentId": summary.get("authorAgentId"),
    }
    if row["target_type"] == "issue_comment":
        target.update(
            metadata=None,
            authorType="agent" if summary.get("authorAgentId") else "user",
            targetPath=f"{issue_path}#comment-{row['target_id']}",
            presentation=None,
            createdByRunId=uid(row["comment_run_id"]),
        )
    else:
        target.update(
            documentId=uid(row["document_id"]),
            targetPath=f"{issue_path}#document-{summary.get('documentKey')}",
            documentKey=summary.get("documentKey"),
            documentTitle=summary.get("documentTitle"),
            createdByRunId=uid(row["revision_run_id"]),
            revisionNumber=summary.get("revisionNumber"),
        )
    return {
        "vote": {
            "id": str(row["id"]),
            "value": row["vote"],
            "reason": row["reason"],
            "sharedAt": None,
            "authorUserId": row["author_user_id"],
            "sharedWithLabs": False,
        },
        "bundle": None,
        "target": target,
        "exportId": None,
        "sourceApp": "paperclip",
        "capturedAt": iso(row["updated_at"]),
        "bundleVersion": "paperclip-feedback-bundle-v2",
        "schemaVersion": "paperclip-feedback-envelope-v2",
        "consentVersion": None,
        "exportEligible": False,
        "redactionSummary": LOCAL_REDACTION,
    }


async def _target_summary(session: AsyncSession, issue: Any, body: VoteBody) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "label": "Comment",
        "excerpt": None,
        "createdAt": None,
        "documentKey": None,
        "authorUserId": None,
        "authorAgentId": None,
        "documentTitle": None,
        "revisionNumber": None,
    }
    if body.targetType == "issue_comment":
        comment = (
            (
                await session.execute(
                    sa.select(IssueComment).where(
                        IssueComment.id == body.targetId, IssueComment.issue_id == issue["id"]
                    )
                )
            )
            .scalars()
            .first()
        )
        if comment is None:
            raise NotFound("Feedback target not found")
        if comment.author_agent_id is None:
            raise Unprocessable("Feedback voting is only available on agent-authored issue comments")
        summary.update(
            excerpt=comment.body[:EXCERPT],
            createdAt=iso(comment.created_at),
            authorAgentId=str(comment.author_agent_id),
        )
        return summary
    revision = (
        await session.execute(
            sa.select(DocumentRevision, IssueDocument.key, Document.title)
            .join(IssueDocument, IssueDocument.document_id == DocumentRevision.document_id)
            .join(Document, Document.id == DocumentRevision.document_id)
            .where(DocumentRevision.id == body.targetId, IssueDocument.issue_id == issue["id"])
        )
    ).first()
    if revision is None:
        raise NotFound("Feedback target not found")
    rev, key, title = revision
    if rev.created_by_agent_id is None:
        raise Unprocessable("Feedback voting is only available on agent-authored document revisions")
    summary.update(
        label=f"{key} rev {rev.revision_number}",  # as the original: "notes rev 1"
        excerpt=rev.body[:EXCERPT],
        createdAt=iso(rev.created_at),
        documentKey=key,
        authorAgentId=str(rev.created_by_agent_id),
        documentTitle=rev.title or title,
        revisionNumber=rev.revision_number,
    )
    return summary


async def upsert_vote(
    session: AsyncSession, actor: Actor, ref: str, body: VoteBody, now: datetime
) -> dict[str, Any]:
    actor.require_authenticated()
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    if not actor.is_board or actor.user_id is None:
        raise Forbidden("Only board users can vote on AI feedback")
    summary = await _target_summary(session, issue, body)
    reason = (body.reason or "").strip() or None if body.vote == "down" else None  # kept for a down vote only
    digest_of = {
        "vote": {"value": body.vote, "reason": reason},
        "target": {"type": body.targetType, "id": str(body.targetId), "summary": summary},
    }
    digest = hashlib.sha256(json.dumps(digest_of, sort_keys=True).encode()).hexdigest()
    values = dict(
        vote=body.vote, reason=reason, target_summary=summary, payload_digest=digest, updated_at=now
    )
    statement = pg_insert(VOTES).values(
        company_id=issue["company_id"],
        issue_id=issue["id"],
        target_type=body.targetType,
        target_id=body.targetId,
        author_user_id=actor.user_id,
        created_at=now,
        **values,
    )
    row = (
        (
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["target_type", "target_id", "author_user_id"], set_=values
                ).returning(VOTES)
            )
        )
        .mappings()
        .one()
    )
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.feedback_vote_saved",
        entity_type="issue",
        entity_id=issue["id"],
        details={
            "feedbackVoteId": str(row["id"]),
            "targetType": body.targetType,
            "targetId": str(body.targetId),
            "vote": body.vote,
            "sharedWithLabs": False,
        },
    )
    return vote_to_wire(row)


async def list_votes(
    session: AsyncSession, actor: Actor, ref: str, window: Window | None = None
) -> list[dict[str, Any]]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    query = sa.select(VOTES).where(VOTES.c.issue_id == issue["id"])
    if actor.is_board and actor.user_id is not None:  # a board user sees their own votes
        query = query.where(VOTES.c.author_user_id == actor.user_id)
    query = query.order_by(VOTES.c.created_at, VOTES.c.id)
    rows = await session.execute(window.apply(query) if window else query)
    return [vote_to_wire(row) for row in rows.mappings()]


# ---------------------------------------------------------------- traces


def _day(raw: str | None, name: str) -> datetime | None:
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"Invalid {name}: expected an ISO 8601 date or date-time") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.now().astimezone().tzinfo)


def _choice(raw: str | None, name: str, allowed: tuple[str, ...]) -> str | None:
    if raw is not None and raw not in allowed:
        raise BadRequest(f"Invalid {name}: expected one of {', '.join(allowed)}")
    return raw


class TraceFilters(BaseModel):
    targetType: str | None = None  # noqa: N815
    vote: str | None = None
    status: str | None = None
    projectId: str | None = None  # noqa: N815
    issueId: str | None = None  # noqa: N815
    from_: str | None = None
    to: str | None = None
    sharedOnly: bool = False  # noqa: N815
    includePayload: bool = False  # noqa: N815


def _trace_query(filters: TraceFilters) -> Any:
    query = (
        sa.select(
            VOTES,
            ISSUES.c.identifier,
            ISSUES.c.title,
            ISSUES.c.project_id,
            COMPANIES.c.issue_prefix,
            COMMENTS.c.created_by_run_id.label("comment_run_id"),
            REVISIONS.c.document_id,
            REVISIONS.c.created_by_run_id.label("revision_run_id"),
        )
        .join(ISSUES, ISSUES.c.id == VOTES.c.issue_id)
        .join(COMPANIES, COMPANIES.c.id == VOTES.c.company_id)
        .outerjoin(
            COMMENTS, sa.and_(VOTES.c.target_type == "issue_comment", COMMENTS.c.id == VOTES.c.target_id)
        )
        .outerjoin(
            REVISIONS,
            sa.and_(VOTES.c.target_type == "issue_document_revision", REVISIONS.c.id == VOTES.c.target_id),
        )
    )
    if _choice(filters.targetType, "targetType", ("issue_comment", "issue_document_revision")):
        query = query.where(VOTES.c.target_type == filters.targetType)
    if _choice(filters.vote, "vote", ("up", "down")):
        query = query.where(VOTES.c.vote == filters.vote)
    if _choice(filters.status, "status", TRACE_STATUSES) and filters.status != "local_only":
        query = query.where(sa.false())  # nothing is ever exported from here
    if filters.sharedOnly:
        query = query.where(sa.false())
    for column, raw, name in (
        (ISSUES.c.project_id, filters.projectId, "projectId"),
        (VOTES.c.issue_id, filters.issueId, "issueId"),
    ):
        if raw is not None:
            parsed = parse_uuid(raw)
            if parsed is None:
                raise BadRequest(f"Invalid {name}: expected a UUID")
            query = query.where(column == parsed)
    start, end = _day(filters.from_, "from"), _day(filters.to, "to")
    if start is not None:
        query = query.where(VOTES.c.created_at >= start)
    if end is not None:
        query = query.where(VOTES.c.created_at <= end)
    return query.order_by(VOTES.c.created_at.desc(), VOTES.c.id)


async def issue_traces(
    session: AsyncSession, actor: Actor, ref: str, filters: TraceFilters, window: Window | None = None
) -> list[dict[str, Any]]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    query = _trace_query(filters).where(VOTES.c.issue_id == issue["id"])
    if window:
        query = window.apply(query)
    return [trace_to_wire(row, filters.includePayload) for row in (await session.execute(query)).mappings()]


async def company_traces(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    filters: TraceFilters,
    window: Window | None = None,
) -> list[dict[str, Any]]:
    actor.require_company(company_id)
    await require_company_exists(session, company_id)
    query = _trace_query(filters).where(VOTES.c.company_id == company_id)
    if window:
        query = window.apply(query)
    return [trace_to_wire(row, filters.includePayload) for row in (await session.execute(query)).mappings()]


async def get_trace(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    trace_id = parse_uuid(ref)
    row = None
    if trace_id is not None:
        row = (
            (await session.execute(_trace_query(TraceFilters()).where(VOTES.c.trace_id == trace_id)))
            .mappings()
            .first()
        )
    if row is None:
        raise NotFound("Feedback trace not found")
    actor.require_company(row["company_id"])
    return trace_to_wire(row, True)
