"""Budget policies, incidents and their enforcement (reference §8).

Enforcement runs inside the transaction that records a cost event (`enforce_after_cost_event`), after
the caller has locked the company row (`costs.service.create_cost_event`). That lock serialises every
cost event of a company, so the observed spend read here includes every event committed before, and
the decision "this event crossed the line" is taken exactly once. The partial unique index on
`budget_incidents (policy_id, window_start, threshold_type) WHERE status <> 'dismissed'` (written with
ON CONFLICT) is the second guard: even a writer that skipped the lock could not open a second incident.

What "no cost event slips past a hard stop" means here: a cost event is a report of money already
spent, so every event is recorded and the spend stays exact; the event that reaches the limit pauses
the scope (agent, company or project) and cancels its queued wake-ups and runs in its own transaction,
and nothing after it resumes the scope except a board decision (incident resolution or a budget
raise). A scope paused by hand (pause_reason `manual`) is never resumed by a budget change.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.costs import queries
from paperclip.costs.governed import governed
from paperclip.costs.schemas import BudgetPolicyUpsert
from paperclip.db.models import Agent, BudgetIncident, BudgetPolicy, Company, CostEvent, Project
from paperclip.errors import NotFound, Unprocessable
from paperclip.runs.lifecycle import cancel_agent_work, cancel_company_work
from paperclip.vocabulary import APPROVAL_DECIDABLE
from paperclip.wire import iso

MONTHLY = "calendar_month_utc"
LIFETIME = "lifetime"
METRIC = "billed_cents"
LIFETIME_START = datetime(1970, 1, 1, tzinfo=UTC)
LIFETIME_END = datetime(9999, 1, 1, tzinfo=UTC)
BUDGET_SERVICE = Actor(type="system", source="system", user_id="budget_service")
STOP_REASON = "Budget hard stop reached"
GUIDANCE = "Raise the budget and resume the scope, or keep the scope paused."


# ---------------------------------------------------------------- windows and observed spend


def month_window(now: datetime) -> tuple[datetime, datetime]:
    now = now.astimezone(UTC)
    start = datetime(now.year, now.month, 1, tzinfo=UTC)
    end = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def policy_window(window_kind: str, now: datetime) -> tuple[datetime, datetime]:
    return (LIFETIME_START, LIFETIME_END) if window_kind == LIFETIME else month_window(now)


def percent(part: int, whole: int) -> int | float:
    """part/whole in percent, 2 decimals; integral values as JSON integers (the original's `11`, not `11.0`)."""
    if whole <= 0:
        return 0
    value = round(part * 100 / whole, 2)
    return int(value) if value.is_integer() else value


def soft_threshold(amount: int, warn_percent: int) -> int:
    return math.ceil(amount * warn_percent / 100)


async def observed_amount(
    session: AsyncSession,
    company_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    window: tuple[datetime, datetime],
) -> int:
    stmt = sa.select(sa.func.coalesce(sa.func.sum(CostEvent.cost_cents), 0)).where(
        CostEvent.company_id == company_id,
        CostEvent.occurred_at >= window[0],
        CostEvent.occurred_at < window[1],
    )
    if scope_type == "agent":
        stmt = stmt.where(CostEvent.agent_id == scope_id)
    elif scope_type == "project":
        stmt = stmt.where(CostEvent.project_id == scope_id)
    return int(await session.scalar(stmt) or 0)


async def _scope_row(session: AsyncSession, company_id: uuid.UUID, scope_type: str, scope_id: uuid.UUID):
    """(name, paused, pause_reason) of a scope in the company, or None."""
    if scope_type == "agent":
        stmt = sa.select(Agent.name, Agent.status == "paused", Agent.pause_reason).where(
            Agent.id == scope_id, Agent.company_id == company_id
        )
    elif scope_type == "project":
        stmt = sa.select(Project.name, Project.paused_at.is_not(None), Project.pause_reason).where(
            Project.id == scope_id, Project.company_id == company_id
        )
    else:
        stmt = sa.select(Company.name, Company.status == "paused", Company.pause_reason).where(
            Company.id == scope_id, Company.id == company_id
        )
    return (await session.execute(stmt)).first()


SCOPE_NOT_FOUND = {"agent": "Agent not found", "project": "Project not found", "company": "Company not found"}


# ---------------------------------------------------------------- policies


async def lock_agent(session: AsyncSession, agent_id: uuid.UUID) -> uuid.UUID | None:
    """Row lock on an agent; returns its company (None if it does not exist)."""
    return await session.scalar(
        sa.select(Agent.company_id).where(Agent.id == agent_id).with_for_update(key_share=True)
    )


async def lock_company(session: AsyncSession, company_id: uuid.UUID) -> None:
    """Take the company's row lock (FOR NO KEY UPDATE: foreign-key checks of other writers are not blocked).

    Every cost event of a company takes it, so they run one after another and each one's statements
    see every event committed before it. Lock order, shared with the heartbeat runner (which locks an
    agent, then its runs, then — recording a run's cost — the company): the agent first, then the
    company; other agents of the company are only ever locked with SKIP LOCKED after that.
    """
    found = await session.scalar(
        sa.select(Company.id).where(Company.id == company_id).with_for_update(key_share=True)
    )
    if found is None:
        raise NotFound("Company not found")


async def upsert_budget_policy(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    amount: int,
    *,
    now: datetime,
    window_kind: str = MONTHLY,
    warn_percent: int | None = None,
    hard_stop_enabled: bool | None = None,
    notify_enabled: bool | None = None,
    is_active: bool | None = None,
    evaluate: bool = True,
) -> BudgetPolicy:
    """Create or update a scope's policy, keep `budget_monthly_cents` in step, record the change, and
    re-evaluate at once: a lower limit may pause the scope, a higher one may resume a budget pause."""
    if scope_type == "agent":
        await lock_agent(session, scope_id)
    await lock_company(session, company_id)  # serialised with the company's cost events
    if await _scope_row(session, company_id, scope_type, scope_id) is None:
        raise NotFound(SCOPE_NOT_FOUND[scope_type])
    values: dict[str, Any] = {"amount": amount, "updated_by_user_id": actor.user_id, "updated_at": now}
    for column, value in (
        ("warn_percent", warn_percent),
        ("hard_stop_enabled", hard_stop_enabled),
        ("notify_enabled", notify_enabled),
        ("is_active", is_active),
    ):
        if value is not None:
            values[column] = value
    stmt = insert(BudgetPolicy).values(
        id=uuid.uuid4(),
        company_id=company_id,
        scope_type=scope_type,
        scope_id=scope_id,
        metric=METRIC,
        window_kind=window_kind,
        created_by_user_id=actor.user_id,
        created_at=now,
        **values,
    )
    stmt = (
        stmt.on_conflict_do_update(
            index_elements=["company_id", "scope_type", "scope_id", "metric", "window_kind"],
            set_=values,
        )
        .returning(BudgetPolicy)
        .execution_options(populate_existing=True)
    )
    policy = (await session.scalars(stmt)).one()
    if window_kind == MONTHLY and scope_type in ("agent", "company"):
        table = Agent if scope_type == "agent" else Company
        await session.execute(
            sa.update(table).where(table.id == scope_id).values(budget_monthly_cents=amount, updated_at=now)
        )
    await record(
        session,
        actor,
        company_id=company_id,
        action="budget.policy_upserted",
        entity_type="budget_policy",
        entity_id=policy.id,
        details={
            "amount": amount,
            "scopeId": str(scope_id),
            "scopeType": scope_type,
            "windowKind": window_kind,
        },
    )
    if evaluate:
        await evaluate_policy(session, actor, policy, now, allow_resume=True)
    return policy


async def set_policy(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, body: BudgetPolicyUpsert, now: datetime
) -> dict[str, Any]:
    """POST /companies/{id}/budgets/policies: upsert the policy (evaluated at once) and answer its
    overview row."""
    policy = await upsert_budget_policy(
        session,
        actor,
        company_id,
        body.scopeType,
        body.scopeId,
        body.amount,
        now=now,
        window_kind=body.windowKind,
        warn_percent=body.warnPercent,
        hard_stop_enabled=body.hardStopEnabled,
        notify_enabled=body.notifyEnabled,
        is_active=body.isActive,
    )
    from paperclip.costs.budget_overview import policy_overview  # it imports this module

    return await policy_overview(session, policy.id, company_id, now)


async def set_company_budget(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, amount: int, now: datetime
) -> Company:
    """PATCH /companies/{id}/budgets: the company's monthly budget and its policy, which may pause or
    resume the company at once. Returns the company as stored now."""
    if await session.scalar(sa.select(Company.id).where(Company.id == company_id)) is None:
        raise NotFound("Company not found")
    return await _set_monthly_budget(session, actor, company_id, Company, "company", company_id, amount, now)


async def set_agent_budget(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, amount: int, now: datetime
) -> Agent:
    """PATCH /agents/{id}/budgets: the agent's monthly budget and its policy, which may pause or resume
    the agent at once. Returns the agent as stored now."""
    company_id = await session.scalar(sa.select(Agent.company_id).where(Agent.id == agent_id))
    if company_id is None:
        raise NotFound("Agent not found")
    actor.require_company(company_id)
    return await _set_monthly_budget(session, actor, company_id, Agent, "agent", agent_id, amount, now)


_Scope = TypeVar("_Scope", Agent, Company)


async def _set_monthly_budget(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    model: type[_Scope],
    scope_type: str,
    scope_id: uuid.UUID,
    amount: int,
    now: datetime,
) -> _Scope:
    """Store the scope's budget_monthly_cents, record `<scope>.budget_updated`, then upsert its
    policy (which re-evaluates it); the row as stored now."""
    await session.execute(
        sa.update(model).where(model.id == scope_id).values(budget_monthly_cents=amount, updated_at=now)
    )
    await record(
        session,
        actor,
        company_id=company_id,
        action=f"{scope_type}.budget_updated",
        entity_type=scope_type,
        entity_id=scope_id,
        details={"budgetMonthlyCents": amount},
    )
    await upsert_budget_policy(session, actor, company_id, scope_type, scope_id, amount, now=now)
    row = await session.scalar(
        sa.select(model).where(model.id == scope_id).execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def evaluate_policy(
    session: AsyncSession,
    actor: Actor,
    policy: BudgetPolicy,
    now: datetime,
    *,
    observed: int | None = None,
    allow_resume: bool = False,
) -> None:
    window = policy_window(policy.window_kind, now)
    if observed is None:
        observed = await observed_amount(
            session, policy.company_id, policy.scope_type, policy.scope_id, window
        )
    limited = policy.is_active and policy.amount > 0
    if limited and observed >= soft_threshold(policy.amount, policy.warn_percent):
        await _open_soft(session, policy, window, observed)
    if limited and policy.hard_stop_enabled and observed >= policy.amount:
        await _open_hard(session, policy, window, observed, now)
    elif allow_resume:
        await _lift_hard_stop(session, actor, policy, window, now)


async def enforce_after_cost_event(
    session: AsyncSession,
    *,
    company_id: uuid.UUID,
    agent_id: uuid.UUID,
    project_id: uuid.UUID | None,
    agent_spent: int,
    company_spent: int,
    now: datetime,
) -> None:
    """Evaluate the active policies this event counts towards (company, its agent, its project)."""
    scope = sa.or_(
        sa.and_(BudgetPolicy.scope_type == "company", BudgetPolicy.scope_id == company_id),
        sa.and_(BudgetPolicy.scope_type == "agent", BudgetPolicy.scope_id == agent_id),
    )
    if project_id is not None:
        scope = sa.or_(
            scope, sa.and_(BudgetPolicy.scope_type == "project", BudgetPolicy.scope_id == project_id)
        )
    policies = (
        await session.scalars(
            sa.select(BudgetPolicy).where(
                BudgetPolicy.company_id == company_id,
                BudgetPolicy.is_active.is_(True),
                BudgetPolicy.amount > 0,
                scope,
            )
        )
    ).all()
    for policy in policies:
        observed = None
        if policy.window_kind == MONTHLY and policy.scope_type == "agent":
            observed = agent_spent
        elif policy.window_kind == MONTHLY and policy.scope_type == "company":
            observed = company_spent
        await evaluate_policy(session, BUDGET_SERVICE, policy, now, observed=observed)


# ---------------------------------------------------------------- incidents


async def _open_incident(
    session: AsyncSession,
    policy: BudgetPolicy,
    threshold: str,
    window: tuple[datetime, datetime],
    observed: int,
) -> uuid.UUID | None:
    """Open one incident per (policy, window, threshold); None when one is already open.

    A resolved hard incident (the board lifted the stop) is reopened when spend crosses the line again;
    a soft one only if the limit changed since (it is also resolved when the hard one opens). A
    dismissed incident (keep_paused) at the same limit blocks a new one: that decision stands.
    """
    return await queries.OPEN_INCIDENT.fetchval(
        session,
        id=uuid.uuid4(),
        company_id=policy.company_id,
        policy_id=policy.id,
        scope_type=policy.scope_type,
        scope_id=policy.scope_id,
        threshold=threshold,
        limit=policy.amount,
        observed=observed,
        window_start=window[0],
    )


async def _open_soft(session: AsyncSession, policy: BudgetPolicy, window, observed: int) -> None:
    incident_id = await _open_incident(session, policy, "soft", window, observed)
    if incident_id is not None:
        await record(
            session,
            BUDGET_SERVICE,
            company_id=policy.company_id,
            action="budget.soft_threshold_crossed",
            entity_type="budget_incident",
            entity_id=incident_id,
            details={
                "scopeId": str(policy.scope_id),
                "scopeType": policy.scope_type,
                "amountLimit": policy.amount,
                "amountObserved": observed,
            },
        )


async def _open_hard(
    session: AsyncSession, policy: BudgetPolicy, window, observed: int, now: datetime
) -> None:
    incident_id = await _open_incident(session, policy, "hard", window, observed)
    if incident_id is None:
        return
    scope = await _scope_row(session, policy.company_id, policy.scope_type, policy.scope_id)
    approval_id = await governed().open_approval(
        session,
        policy.company_id,
        "budget_override_required",
        {
            "metric": policy.metric,
            "scopeId": str(policy.scope_id),
            "guidance": GUIDANCE,
            "policyId": str(policy.id),
            "scopeName": scope.name if scope else None,
            "scopeType": policy.scope_type,
            "windowEnd": iso(window[1]),
            "windowKind": policy.window_kind,
            "warnPercent": policy.warn_percent,
            "windowStart": iso(window[0]),
            "budgetAmount": policy.amount,
            "thresholdType": "hard",
            "observedAmount": observed,
        },
        now,
    )
    await session.execute(
        sa.update(BudgetIncident).where(BudgetIncident.id == incident_id).values(approval_id=approval_id)
    )
    await session.execute(
        sa.update(BudgetIncident)
        .where(
            BudgetIncident.policy_id == policy.id,
            BudgetIncident.window_start == window[0],
            BudgetIncident.threshold_type == "soft",
            BudgetIncident.status == "open",
        )
        .values(status="resolved", resolved_at=now, updated_at=now)
    )
    await record(
        session,
        BUDGET_SERVICE,
        company_id=policy.company_id,
        action="budget.hard_threshold_crossed",
        entity_type="budget_incident",
        entity_id=incident_id,
        details={
            "scopeId": str(policy.scope_id),
            "scopeType": policy.scope_type,
            "approvalId": str(approval_id),
            "amountLimit": policy.amount,
            "amountObserved": observed,
        },
    )
    await pause_scope(session, policy.company_id, policy.scope_type, policy.scope_id, incident_id, now)


async def _lift_hard_stop(
    session: AsyncSession, actor: Actor, policy: BudgetPolicy, window, now: datetime
) -> None:
    """The policy no longer stops the scope: resolve its open hard incident (approving the override)
    and resume the scope if — and only if — the budget paused it."""
    resolved = (
        (
            await session.execute(
                sa.update(BudgetIncident)
                .where(
                    BudgetIncident.policy_id == policy.id,
                    BudgetIncident.window_start == window[0],
                    BudgetIncident.threshold_type == "hard",
                    BudgetIncident.status == "open",
                )
                .values(status="resolved", resolved_at=now, updated_at=now)
                .returning(BudgetIncident.approval_id)
            )
        )
        .scalars()
        .all()
    )
    approvals = [a for a in resolved if a is not None]
    if approvals:
        await governed().decide_approvals(
            session,
            approvals,
            status="approved",
            from_statuses=("pending",),
            decided_by_user_id=actor.user_id if actor.is_board else None,
            now=now,
        )
    await resume_scope(session, actor, policy.company_id, policy.scope_type, policy.scope_id, now)


# ---------------------------------------------------------------- pausing and resuming a scope


async def pause_scope(
    session: AsyncSession,
    company_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    incident_id: uuid.UUID,
    now: datetime,
) -> None:
    """A hard stop: the scope's feature pauses it (reason `budget`), then its work stops — the
    agent's, or every agent's of a paused company (runs.lifecycle). A project's issues are held
    back at wake-up, claim and checkout instead (heartbeat/project_stop.py)."""
    details = {"pauseReason": "budget", "incidentId": str(incident_id)}
    await governed().pause[scope_type](
        session, BUDGET_SERVICE, company_id, scope_id, reason="budget", details=details, now=now
    )
    if scope_type == "agent":
        await cancel_agent_work(session, agent_id=scope_id, reason=STOP_REASON, now=now)
    elif scope_type == "company":
        await cancel_company_work(session, company_id=company_id, reason=STOP_REASON, now=now)


async def resume_scope(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    scope_type: str,
    scope_id: uuid.UUID,
    now: datetime,
) -> None:
    """Undo a budget pause; a scope paused for any other reason stays paused."""
    await governed().resume[scope_type](session, actor, company_id, scope_id, reason="budget", now=now)


# ---------------------------------------------------------------- incident resolution


async def resolve_incident(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    incident_id: uuid.UUID,
    *,
    action: str,
    amount: int | None,
    decision_note: str | None,
    now: datetime,
) -> dict[str, Any]:
    scope = (
        await session.execute(
            sa.select(BudgetIncident.scope_type, BudgetIncident.scope_id).where(
                BudgetIncident.id == incident_id, BudgetIncident.company_id == company_id
            )
        )
    ).first()
    if scope is not None and scope.scope_type == "agent":
        await lock_agent(session, scope.scope_id)
    await lock_company(session, company_id)
    incident = await session.scalar(
        sa.select(BudgetIncident)
        .where(BudgetIncident.id == incident_id, BudgetIncident.company_id == company_id)
        .with_for_update(key_share=True)
    )
    if incident is None:
        raise NotFound("Budget incident not found")
    if incident.status != "open":
        raise Unprocessable("Only open budget incidents can be resolved", {"status": incident.status})
    policy = await session.get(BudgetPolicy, incident.policy_id)
    assert policy is not None
    if action == "raise_budget_and_resume":
        assert amount is not None
        observed = await observed_amount(
            session, company_id, policy.scope_type, policy.scope_id, policy_window(policy.window_kind, now)
        )
        if amount <= observed:
            raise Unprocessable("New budget must exceed current observed spend")
        await session.execute(
            sa.update(BudgetPolicy)
            .where(BudgetPolicy.id == policy.id)
            .values(amount=amount, updated_by_user_id=actor.user_id, updated_at=now)
        )
        if policy.window_kind == MONTHLY and policy.scope_type in ("agent", "company"):
            table = Agent if policy.scope_type == "agent" else Company
            await session.execute(
                sa.update(table)
                .where(table.id == policy.scope_id)
                .values(budget_monthly_cents=amount, updated_at=now)
            )
        await resume_scope(session, actor, company_id, policy.scope_type, policy.scope_id, now)
        incident_status, approval_status = "resolved", "approved"
    else:
        incident_status, approval_status = "dismissed", "rejected"
    await session.execute(
        sa.update(BudgetIncident)
        .where(BudgetIncident.id == incident.id)
        .values(status=incident_status, resolved_at=now, updated_at=now)
    )
    if incident.approval_id is not None:
        await governed().decide_approvals(
            session,
            [incident.approval_id],
            status=approval_status,
            from_statuses=APPROVAL_DECIDABLE,
            decided_by_user_id=actor.user_id,
            now=now,
            decision_note=decision_note,
        )
    await record(
        session,
        actor,
        company_id=company_id,
        action="budget.incident_resolved",
        entity_type="budget_incident",
        entity_id=incident.id,
        details={
            "action": action,
            "amount": amount,
            "scopeId": str(incident.scope_id),
            "scopeType": incident.scope_type,
        },
    )
    from paperclip.costs.budget_overview import incident_wire

    return await incident_wire(session, company_id, incident.id)
