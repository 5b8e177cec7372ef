"""Issue-thread interactions (`/issues/:id/interactions`): structured requests put to an issue's thread —
questions (`ask_user_questions`), confirmations (plain and checkbox), per-item verdicts and suggested
tasks — and their one resolution, at the original's routes, shapes, statuses and messages.

An interaction is resolved once: every resolution locks the interaction's row (FOR UPDATE) and checks
it is still pending under that lock, so two answers racing on two connections leave one answer and
one 409 `interaction_already_resolved`. Accepting suggested tasks creates the issues in the same
transaction as the resolution: a refused task (bad assignee, ...) leaves nothing written.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import Agent, HeartbeatRun, IssueComment, IssueThreadInteraction
from paperclip.db.paging import Window
from paperclip.errors import AppError, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from paperclip.ids import parse_uuid
from paperclip.issues import queries
from paperclip.issues.identifiers import IDENTIFIER_RE, find_issue
from paperclip.issues.interaction_schemas import (
    AcceptBody,
    CheckboxPayload,
    ReasonBody,
    RespondBody,
    SuggestTasksPayload,
    VerdictsBody,
    VerdictsPayload,
    stored_payload,
)
from paperclip.issues.schemas import IssueCreate
from paperclip.issues.service import create_issue
from paperclip.issues.wakes import Wakes
from paperclip.wire import iso, uid

TABLE = cast(sa.Table, IssueThreadInteraction.__table__)

# The older names of the two policies, still shown to older clients beside the current ones.
LEGACY_POLICY = {"anyone": "board_or_agents", "human_only": "board_only", "not_creator": None}
CANONICAL_POLICY = {"board_or_agents": "anyone", "board_only": "human_only"}
# What a pending interaction of each kind waits for, and which kinds each action applies to.
DEFAULT_CONTINUATION = {"request_confirmation": "none"}


def _coded(error: type[AppError], message: str, code: str, **details: Any) -> AppError:
    exc = error(message)
    exc.wire_body = {"error": message, "code": code, "details": {"code": code, **details}}  # type: ignore[attr-defined]
    return exc


def to_wire(row: Any) -> dict[str, Any]:
    requested, effective = row["requested_resolver_policy"], row["effective_resolver_policy"]
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "issueId": str(row["issue_id"]),
        "kind": row["kind"],
        "status": row["status"],
        "continuationPolicy": row["continuation_policy"],
        "requestedResolverPolicy": requested,
        "effectiveResolverPolicy": effective,
        "resolverPolicyProvenance": row["resolver_policy_provenance"],
        "effectiveResolverPolicySource": "requested",
        "idempotencyKey": row["idempotency_key"],
        "originCommentIds": [],
        "sourceCommentId": uid(row["source_comment_id"]),
        "sourceIdentityContextId": None,
        "sourceRunId": uid(row["source_run_id"]),
        "title": row["title"],
        "summary": row["summary"],
        "createdByAgentId": uid(row["created_by_agent_id"]),
        "addresseeAgentId": uid(row["addressee_agent_id"]),
        "addresseeUserId": row["addressee_user_id"],
        "createdByUserId": row["created_by_user_id"],
        "resolvedByAgentId": uid(row["resolved_by_agent_id"]),
        "resolvedByRunId": uid(row["resolved_by_run_id"]),
        "resolvedByUserId": row["resolved_by_user_id"],
        "payload": row["payload"],
        "result": row["result"],
        "resolvedAt": iso(row["resolved_at"]),
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
        "resolverPolicy": effective,
        "legacyResolverPolicyAliases": {
            "requested": LEGACY_POLICY[requested],
            "effective": LEGACY_POLICY[effective],
        },
    }


def _policy_details(row: Any) -> dict[str, Any]:
    return {
        "interactionId": str(row["id"]),
        "interactionKind": row["kind"],
        "interactionStatus": row["status"],
        "requestedResolverPolicy": row["requested_resolver_policy"],
        "effectiveResolverPolicy": row["effective_resolver_policy"],
        "resolverPolicyProvenance": row["resolver_policy_provenance"],
        "effectiveResolverPolicySource": "requested",
    }


def _require_run(actor: Actor) -> None:
    if actor.is_agent and actor.run_id is None:
        raise Unauthorized("Agent run id required")


# ---------------------------------------------------------------- list


async def list_interactions(
    session: AsyncSession, actor: Actor, ref: str, window: Window = Window(1000)
) -> list[dict[str, Any]]:
    issue_id = parse_uuid(ref)
    identifier = ref.upper() if issue_id is None and IDENTIFIER_RE.match(ref) else None
    if issue_id is None and identifier is None:
        raise NotFound("Issue not found")
    rows = await queries.INTERACTIONS_OF_ISSUE.fetch(
        session, issue_id, identifier, window.limit, window.offset
    )
    if not rows:
        raise NotFound("Issue not found")
    actor.require_company(rows[0]["issue_company_id"])
    return [to_wire(row) for row in rows if row["id"] is not None]


# ---------------------------------------------------------------- create


def _fingerprint(body: BaseModel) -> str:
    data = body.model_dump(mode="json", exclude={"idempotencyKey"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


async def _check_references(session: AsyncSession, issue: Any, body: Any) -> None:
    company_id = issue["company_id"]
    if body.addresseeAgentId is not None:
        owner = await session.scalar(sa.select(Agent.company_id).where(Agent.id == body.addresseeAgentId))
        if owner != company_id:
            raise Unprocessable("addresseeAgentId must belong to the same company")
    if body.sourceCommentId is not None:
        on = await session.scalar(
            sa.select(IssueComment.issue_id).where(IssueComment.id == body.sourceCommentId)
        )
        if on != issue["id"]:
            raise Unprocessable("sourceCommentId must be a comment on this issue")
    if body.sourceRunId is not None:
        owner = await session.scalar(
            sa.select(HeartbeatRun.company_id).where(HeartbeatRun.id == body.sourceRunId)
        )
        if owner != company_id:
            raise Unprocessable("sourceRunId must be a run of the same company")


async def create_interaction(
    session: AsyncSession, actor: Actor, ref: str, body: Any, now: datetime
) -> dict[str, Any]:
    actor.require_authenticated()
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    for owned in ("toolAction", "secretProposal"):  # written by the server only
        if getattr(body.payload, owned, None) is not None:
            raise Unprocessable(
                f"payload.{owned} is server-owned metadata and cannot be supplied when creating an interaction"
            )
    _require_run(actor)
    await _check_references(session, issue, body)
    requested = CANONICAL_POLICY.get(body.resolverPolicy or "anyone", body.resolverPolicy or "anyone")
    fingerprint = _fingerprint(body)
    values = dict(
        company_id=issue["company_id"],
        issue_id=issue["id"],
        kind=body.kind,
        status="pending",
        continuation_policy=body.continuationPolicy or DEFAULT_CONTINUATION.get(body.kind, "wake_assignee"),
        requested_resolver_policy=requested,
        effective_resolver_policy=requested,
        resolver_policy_provenance="explicit" if body.resolverPolicy else "inherited",
        idempotency_key=body.idempotencyKey,
        request_fingerprint=fingerprint,
        source_comment_id=body.sourceCommentId,
        source_run_id=body.sourceRunId or (actor.run_id if actor.is_agent else None),
        title=body.title,
        summary=body.summary,
        created_by_agent_id=actor.agent_id if actor.is_agent else None,
        created_by_user_id=actor.user_id if actor.is_board else None,
        addressee_agent_id=body.addresseeAgentId,
        addressee_user_id=body.addresseeUserId,
        payload=stored_payload(body.kind, body.payload),
        created_at=now,
        updated_at=now,
    )
    statement = pg_insert(TABLE).values(**values)
    if body.idempotencyKey is not None:
        # a concurrent twin with the same key inserts nothing here and is answered from the winner's row
        statement = statement.on_conflict_do_nothing(
            index_elements=["issue_id", "idempotency_key"], index_where=TABLE.c.idempotency_key.isnot(None)
        )
    row = (await session.execute(statement.returning(TABLE))).mappings().first()
    if row is None:
        existing = (
            (
                await session.execute(
                    sa.select(TABLE).where(
                        TABLE.c.issue_id == issue["id"], TABLE.c.idempotency_key == body.idempotencyKey
                    )
                )
            )
            .mappings()
            .one()
        )
        if existing["request_fingerprint"] != fingerprint:
            raise Conflict(
                "Interaction idempotency key already exists for a different request",
                {"idempotencyKey": body.idempotencyKey},
            )
        return to_wire(existing)
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action="issue.thread_interaction_created",
        entity_type="issue",
        entity_id=issue["id"],
        details={
            **_policy_details(row),
            "continuationPolicy": row["continuation_policy"],
            "addresseeAgentId": uid(row["addressee_agent_id"]),
            "addresseeUserId": row["addressee_user_id"],
        },
    )
    return to_wire(row)


# ---------------------------------------------------------------- resolution


async def _pending(session: AsyncSession, actor: Actor, ref: str, interaction_ref: str) -> tuple[Any, Any]:
    """The issue and its interaction, the interaction's row locked; refuses what is no longer pending."""
    actor.require_authenticated()
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    _require_run(actor)
    interaction_id = parse_uuid(interaction_ref)
    row = None
    if interaction_id is not None:
        row = (
            (
                await session.execute(
                    sa.select(TABLE)
                    .where(TABLE.c.id == interaction_id, TABLE.c.issue_id == issue["id"])
                    .with_for_update()
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise _coded(NotFound, "Interaction not found", "interaction_not_found")
    if row["status"] != "pending":
        raise _coded(Conflict, "Interaction has already been resolved", "interaction_already_resolved")
    return issue, row


def _authorize_resolver(actor: Actor, row: Any) -> None:
    policy = row["effective_resolver_policy"]
    if policy == "human_only" and actor.is_agent:
        raise _coded(
            Forbidden,
            "This issue-thread interaction is human-only",
            "interaction_human_only",
            effectiveResolverPolicy=policy,
        )
    if policy == "not_creator":
        by_creator = (
            (actor.is_agent and actor.agent_id == row["created_by_agent_id"])
            or (actor.is_board and actor.user_id is not None and actor.user_id == row["created_by_user_id"])
            or (actor.run_id is not None and actor.run_id == row["source_run_id"])
        )
        if by_creator:
            raise _coded(
                Forbidden,
                "This issue-thread interaction requires a resolver other than its creator or creating run",
                "interaction_creator_excluded",
                effectiveResolverPolicy=policy,
            )


def _require_board_route(actor: Actor, verb: str) -> None:
    if actor.is_agent:
        raise Forbidden(f"Agent actors cannot {verb} issue-thread interactions through this board-only route")


def _resolver_columns(actor: Actor, now: datetime) -> dict[str, Any]:
    return dict(
        resolved_by_agent_id=actor.agent_id if actor.is_agent else None,
        resolved_by_run_id=actor.run_id if actor.is_agent else None,
        resolved_by_user_id=actor.user_id if actor.is_board else None,
        resolved_at=now,
    )


async def _finish(
    session: AsyncSession,
    actor: Actor,
    issue: Any,
    row: Any,
    now: datetime,
    *,
    status: str,
    result: dict[str, Any],
    action: str,
    extra: dict[str, Any],
) -> dict[str, Any]:
    values: dict[str, Any] = dict(status=status, result=result, updated_at=now)
    if status != "pending":
        values.update(_resolver_columns(actor, now))
    updated = (
        (
            await session.execute(
                sa.update(TABLE).where(TABLE.c.id == row["id"]).values(**values).returning(TABLE)
            )
        )
        .mappings()
        .one()
    )
    await record(
        session,
        actor,
        company_id=issue["company_id"],
        action=action,
        entity_type="issue",
        entity_id=issue["id"],
        details={**_policy_details(updated), "resolutionActorKind": actor.activity_type, **extra},
    )
    await _continue(session, actor, issue, updated, now)
    return to_wire(updated)


async def _continue(session: AsyncSession, actor: Actor, issue: Any, row: Any, now: datetime) -> None:
    """Wake the issue's assignee when the answer is what it waits for (the continuation policy)."""
    policy, status = row["continuation_policy"], row["status"]
    wanted = {"wake_assignee": {"answered", "accepted", "rejected"}, "wake_assignee_on_accept": {"accepted"}}
    agent_id = issue["assignee_agent_id"]
    if status not in wanted.get(policy, set()) or agent_id is None or agent_id == actor.agent_id:
        return
    key = str(issue["id"])
    await Wakes(actor, issue["company_id"], now).wake(
        session,
        agent_id,
        source="automation",
        reason="issue_thread_interaction_resolved",
        payload={"issueId": key, "interactionId": str(row["id"]), "interactionStatus": status},
        context={
            "issueId": key,
            "taskId": key,
            "taskKey": key,
            "interactionId": str(row["id"]),
            "interactionKind": row["kind"],
            "interactionStatus": status,
        },
    )


def _kind_refused(row: Any, verb: str) -> AppError:
    return Unprocessable(f"Interactions of kind {row['kind']} cannot be {verb}")


async def accept(
    session: AsyncSession, actor: Actor, ref: str, interaction_ref: str, body: AcceptBody, now: datetime
) -> dict[str, Any]:
    issue, row = await _pending(session, actor, ref, interaction_ref)
    _authorize_resolver(actor, row)
    kind = row["kind"]
    extra = {"createdTaskCount": 0, "skippedTaskCount": 0}
    if kind == "request_confirmation":
        result: dict[str, Any] = {"version": 1, "outcome": "accepted"}
    elif kind == "request_checkbox_confirmation":
        result = {"version": 1, "outcome": "accepted", "selectedOptionIds": _checkbox_selection(row, body)}
    elif kind == "suggest_tasks":
        result = await _create_suggested_tasks(session, actor, issue, row, body, now)
        extra = {
            "createdTaskCount": len(result["createdTasks"]),
            "skippedTaskCount": len(result["skippedClientKeys"]),
        }
    else:
        raise _kind_refused(row, "accepted")
    return await _finish(
        session,
        actor,
        issue,
        row,
        now,
        status="accepted",
        result=result,
        action="issue.thread_interaction_accepted",
        extra=extra,
    )


def _checkbox_selection(row: Any, body: AcceptBody) -> list[str]:
    payload = CheckboxPayload.model_validate(row["payload"])
    order = [option.id for option in payload.options]
    chosen = (
        body.selectedOptionIds if body.selectedOptionIds is not None else payload.defaultSelectedOptionIds
    )
    for option_id in chosen:
        if option_id not in order:
            raise Unprocessable(f"Unknown checkbox confirmation optionId: {option_id}")
    if len(chosen) < payload.minSelected:
        raise Unprocessable(f"Select at least {payload.minSelected} checkbox confirmation option(s)")
    if payload.maxSelected is not None and len(chosen) > payload.maxSelected:
        raise Unprocessable(f"Select no more than {payload.maxSelected} checkbox confirmation option(s)")
    return [option_id for option_id in order if option_id in set(chosen)]


async def _create_suggested_tasks(
    session: AsyncSession, actor: Actor, issue: Any, row: Any, body: AcceptBody, now: datetime
) -> dict[str, Any]:
    payload = SuggestTasksPayload.model_validate(row["payload"])
    by_key = {task.clientKey: task for task in payload.tasks}
    selected = set(body.selectedClientKeys) if body.selectedClientKeys is not None else set(by_key)
    for key in selected:
        if key not in by_key:
            raise Unprocessable(f"Unknown suggested task clientKey: {key}")
        parent_key = by_key[key].parentClientKey
        if parent_key is not None and parent_key not in selected:
            raise Unprocessable(f"Suggested task {key} requires its parent {parent_key} to also be selected")
    created: dict[str, dict[str, Any]] = {}
    pending = [task for task in payload.tasks if task.clientKey in selected]
    while pending:  # parents before children, in the payload's order otherwise
        ready = [t for t in pending if t.parentClientKey is None or t.parentClientKey in created]
        if not ready:
            raise Unprocessable("Suggested tasks form a parentClientKey cycle")
        for task in ready:
            parent_ref = (
                created[task.parentClientKey]["issueId"]
                if task.parentClientKey is not None
                else str(task.parentId or payload.defaultParentId or issue["id"])
            )
            parent = await find_issue(session, parent_ref)
            if parent["company_id"] != issue["company_id"]:
                raise Unprocessable(f"Suggested task {task.clientKey} names a parent of another company")
            wire = await create_issue(
                session,
                actor,
                issue["company_id"],
                IssueCreate(
                    title=task.title,
                    description=task.description,
                    status="todo",
                    priority=task.priority,
                    assigneeAgentId=task.assigneeAgentId,
                    assigneeUserId=task.assigneeUserId,
                    projectId=task.projectId,
                    goalId=task.goalId,
                    billingCode=task.billingCode,
                ),
                now,
                parent=parent,
            )
            created[task.clientKey] = {
                "clientKey": task.clientKey,
                "issueId": wire["id"],
                "identifier": wire["identifier"],
                "title": wire["title"],
                "parentIssueId": str(parent["id"]),
                "parentIdentifier": parent["identifier"],
            }
        pending = [t for t in pending if t.clientKey not in created]
    return {
        "version": 1,
        "createdTasks": list(created.values()),
        "skippedClientKeys": [t.clientKey for t in payload.tasks if t.clientKey not in selected],
    }


async def reject(
    session: AsyncSession, actor: Actor, ref: str, interaction_ref: str, body: ReasonBody, now: datetime
) -> dict[str, Any]:
    issue, row = await _pending(session, actor, ref, interaction_ref)
    _authorize_resolver(actor, row)
    if row["kind"] not in ("request_confirmation", "request_checkbox_confirmation", "suggest_tasks"):
        raise _kind_refused(row, "rejected")
    reason = (body.reason or "").strip() or None
    if row["payload"].get("rejectRequiresReason") and reason is None:
        raise Unprocessable("A decline reason is required for this confirmation")
    return await _finish(
        session,
        actor,
        issue,
        row,
        now,
        status="rejected",
        result={"version": 1, "outcome": "rejected", "reason": reason},
        action="issue.thread_interaction_rejected",
        extra={},
    )


async def respond(
    session: AsyncSession, actor: Actor, ref: str, interaction_ref: str, body: RespondBody, now: datetime
) -> dict[str, Any]:
    issue, row = await _pending(session, actor, ref, interaction_ref)
    _authorize_resolver(actor, row)
    if row["kind"] != "ask_user_questions":
        raise _kind_refused(row, "answered")
    questions = {q["id"]: q for q in row["payload"]["questions"]}
    answered: dict[str, dict[str, Any]] = {}
    for answer in body.answers:
        question = questions.get(answer.questionId)
        if question is None:
            raise Unprocessable(f"Unknown questionId: {answer.questionId}")
        if answer.questionId in answered:
            raise Unprocessable(f"Question {answer.questionId} is answered more than once")
        options = {o["id"] for o in question["options"]}
        for option_id in answer.optionIds:
            if option_id not in options:
                raise Unprocessable(f"Unknown optionId for question {answer.questionId}: {option_id}")
        if question["selectionMode"] == "single" and len(set(answer.optionIds)) > 1:
            raise Unprocessable(f"Question {answer.questionId} only allows one answer")
        answered[answer.questionId] = answer.model_dump(mode="json", exclude_unset=True)
    for question in row["payload"]["questions"]:
        given = answered.get(question["id"])
        if question.get("required") and (given is None or not (given["optionIds"] or given.get("otherText"))):
            raise Unprocessable(f"Question {question['id']} requires an answer")
    return await _finish(
        session,
        actor,
        issue,
        row,
        now,
        status="answered",
        result={"version": 1, "answers": list(answered.values()), "summaryMarkdown": body.summaryMarkdown},
        action="issue.thread_interaction_answered",
        extra={"answeredQuestionCount": len(answered)},
    )


async def verdicts(
    session: AsyncSession, actor: Actor, ref: str, interaction_ref: str, body: VerdictsBody, now: datetime
) -> dict[str, Any]:
    """Item verdicts arrive in one or several requests; the interaction is answered once every item has one."""
    issue, row = await _pending(session, actor, ref, interaction_ref)
    _authorize_resolver(actor, row)
    if row["kind"] != "request_item_verdicts":
        raise _kind_refused(row, "given verdicts")
    payload = VerdictsPayload.model_validate(row["payload"])
    items = {item.id for item in payload.items}
    recorded = {entry["id"]: entry for entry in (row["result"] or {}).get("items", [])}
    who = (
        {"resolvedByAgentId": str(actor.agent_id)} if actor.is_agent else {"resolvedByUserId": actor.user_id}
    )
    for given in body.verdicts:
        if given.id not in items:
            raise Unprocessable(f"Unknown item verdict id: {given.id}")
        if given.verdict not in payload.verdicts:
            raise Unprocessable(f"Verdict {given.verdict} is not enabled for this item verdict request")
        reason = (given.reason or "").strip() or None
        if given.verdict in payload.requireReasonOn and reason is None:
            raise Unprocessable(f"A reason is required when verdict is {given.verdict}")
        entry: dict[str, Any] = {"id": given.id, "verdict": given.verdict}
        if reason is not None:
            entry["reason"] = reason
        recorded[given.id] = {**entry, **who, "resolvedAt": iso(now)}
    ordered = [recorded[item.id] for item in payload.items if item.id in recorded]
    complete = len(ordered) == len(items)
    return await _finish(
        session,
        actor,
        issue,
        row,
        now,
        status="answered" if complete else "pending",
        result={"version": 1, "outcome": "resolved", "complete": complete, "items": ordered},
        action="issue.thread_interaction_answered"
        if complete
        else "issue.thread_interaction_verdicts_recorded",
        extra={"verdictCount": len(body.verdicts), "complete": complete},
    )


async def close(
    session: AsyncSession,
    actor: Actor,
    ref: str,
    interaction_ref: str,
    body: ReasonBody,
    now: datetime,
    *,
    how: str,
) -> dict[str, Any]:
    """cancel (questions only), withdraw and skip: board-only ways to end a pending interaction unanswered."""
    verb = {"cancel": "cancel", "withdraw": "withdraw", "skip": "skip"}[how]
    actor.require_authenticated()
    _require_board_route(actor, verb)
    issue, row = await _pending(session, actor, ref, interaction_ref)
    reason = (body.reason or "").strip() or None
    questions = row["kind"] == "ask_user_questions"
    if how == "cancel" and not questions:
        raise Unprocessable("Only ask_user_questions interactions can be cancelled")
    cancelled = {"answers": [], "cancelled": True, "cancellationReason": reason, "summaryMarkdown": None}
    if how == "cancel":
        result: dict[str, Any] = {"version": 1, **cancelled}
    elif how == "skip":
        result = {"version": 1, "outcome": "skipped", "reason": reason, **(cancelled if questions else {})}
    else:
        result = {"version": 1, "outcome": "withdrawn", "reason": reason}
    return await _finish(
        session,
        actor,
        issue,
        row,
        now,
        status="cancelled",
        result=result,
        action="issue.thread_interaction_cancelled",
        extra={"closedBy": how},
    )
