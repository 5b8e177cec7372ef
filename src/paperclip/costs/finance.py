"""Finance events (credit purchases, platform fees, refunds, adjustments — §2.11) and the spend
reports beside the per-run cost events: by biller, rolling window spend, finance summary / by biller /
by kind. Every report is one aggregate statement; `?from=&to=` as the other cost reports."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import Field, StrictBool, StrictFloat, StrictInt
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.costs import queries
from paperclip.costs.budgets import month_window
from paperclip.costs.reports import parse_bound
from paperclip.costs.schemas import INT32_MAX, Body, JsonObject, Label, Text, Timestamp
from paperclip.costs.service import check_references
from paperclip.db.models import Agent, FinanceEvent
from paperclip.db.models.finance import FINANCE_DIRECTIONS, FINANCE_EVENT_KINDS, FINANCE_UNITS
from paperclip.errors import NotFound, Unprocessable
from paperclip.wire import iso, uid

Short = Annotated[Text, Field(max_length=200)]


class FinanceEventCreate(Body):
    agentId: uuid.UUID | None = None
    issueId: uuid.UUID | None = None
    projectId: uuid.UUID | None = None
    goalId: uuid.UUID | None = None
    heartbeatRunId: uuid.UUID | None = None
    costEventId: uuid.UUID | None = None
    billingCode: Short | None = None
    description: Annotated[Text, Field(max_length=2000)] | None = None
    eventKind: Literal[FINANCE_EVENT_KINDS]  # type: ignore[valid-type]
    direction: Literal[FINANCE_DIRECTIONS] = "debit"  # type: ignore[valid-type]
    biller: Label
    provider: Short | None = None
    executionAdapterType: Short | None = None
    pricingTier: Short | None = None
    region: Short | None = None
    model: Short | None = None
    quantity: Annotated[StrictInt | StrictFloat, Field(ge=0, le=1e15)] | None = None
    unit: Literal[FINANCE_UNITS] | None = None  # type: ignore[valid-type]
    amountCents: Annotated[StrictInt, Field(ge=0, le=INT32_MAX)]
    currency: Annotated[Text, Field(min_length=3, max_length=3)] = "USD"
    estimated: StrictBool = False
    externalInvoiceId: Short | None = None
    metadataJson: JsonObject | None = None
    occurredAt: Timestamp


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def finance_event_to_wire(e: FinanceEvent) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "companyId": str(e.company_id),
        "agentId": uid(e.agent_id),
        "issueId": uid(e.issue_id),
        "projectId": uid(e.project_id),
        "goalId": uid(e.goal_id),
        "heartbeatRunId": uid(e.heartbeat_run_id),
        "costEventId": uid(e.cost_event_id),
        "billingCode": e.billing_code,
        "description": e.description,
        "eventKind": e.event_kind,
        "direction": e.direction,
        "biller": e.biller,
        "provider": e.provider,
        "executionAdapterType": e.execution_adapter_type,
        "pricingTier": e.pricing_tier,
        "region": e.region,
        "model": e.model,
        "quantity": _number(e.quantity),
        "unit": e.unit,
        "amountCents": e.amount_cents,
        "currency": e.currency,
        "estimated": e.estimated,
        "externalInvoiceId": e.external_invoice_id,
        "metadataJson": e.metadata_json,
        "occurredAt": iso(e.occurred_at),
        "createdAt": iso(e.created_at),
    }


async def create_finance_event(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, body: FinanceEventCreate, now: datetime
) -> dict[str, Any]:
    """Board only (an agent reports its spend as cost events); references must be the company's."""
    actor.require_board()
    actor.require_company(company_id)
    if body.agentId is not None:
        owner = await session.scalar(sa.select(Agent.company_id).where(Agent.id == body.agentId))
        if owner is None:
            raise NotFound("Agent not found")
        if owner != company_id:
            raise Unprocessable("Agent does not belong to company")
    await check_references(session, company_id, body)
    if body.costEventId is not None:
        owner = await queries.COST_EVENT_COMPANY.fetchval(session, id=body.costEventId)
        if owner is None:
            raise NotFound("Cost event not found")
        if owner != company_id:
            raise Unprocessable("Cost event does not belong to company")
    event = (
        await session.scalars(
            sa.insert(FinanceEvent)
            .values(
                id=uuid.uuid4(),
                company_id=company_id,
                agent_id=body.agentId,
                issue_id=body.issueId,
                project_id=body.projectId,
                goal_id=body.goalId,
                heartbeat_run_id=body.heartbeatRunId,
                cost_event_id=body.costEventId,
                billing_code=body.billingCode,
                description=body.description,
                event_kind=body.eventKind,
                direction=body.direction,
                biller=body.biller,
                provider=body.provider,
                execution_adapter_type=body.executionAdapterType,
                pricing_tier=body.pricingTier,
                region=body.region,
                model=body.model,
                quantity=body.quantity,
                unit=body.unit,
                amount_cents=body.amountCents,
                currency=body.currency.upper(),
                estimated=body.estimated,
                external_invoice_id=body.externalInvoiceId,
                metadata_json=body.metadataJson,
                occurred_at=body.occurredAt,
                created_at=now,
            )
            .returning(FinanceEvent)
        )
    ).one()
    await record(
        session,
        actor,
        company_id=company_id,
        action="finance_event.reported",
        entity_type="finance_event",
        entity_id=event.id,
        details={
            "biller": event.biller,
            "direction": event.direction,
            "eventKind": event.event_kind,
            "amountCents": event.amount_cents,
        },
    )
    return finance_event_to_wire(event)


def _bounds(start: str | None, end: str | None, now: datetime) -> tuple[datetime | None, datetime | None]:
    lo, hi = parse_bound(start, "from"), parse_bound(end, "to")
    if lo is None and hi is None:
        ms, me = month_window(now)
        return ms, me - timedelta(microseconds=1)
    return lo, hi


async def finance_events(
    session: AsyncSession, company_id: uuid.UUID, start, end, limit: int, now: datetime
) -> list[dict[str, Any]]:
    lo, hi = _bounds(start, end, now)
    stmt = (
        sa.select(FinanceEvent)
        .where(FinanceEvent.company_id == company_id)
        .order_by(FinanceEvent.occurred_at.desc(), FinanceEvent.created_at.desc())
        .limit(limit)
    )
    if lo is not None:
        stmt = stmt.where(FinanceEvent.occurred_at >= lo)
    if hi is not None:
        stmt = stmt.where(FinanceEvent.occurred_at <= hi)
    return [finance_event_to_wire(e) for e in await session.scalars(stmt)]


def _fin(row: dict[str, Any]) -> dict[str, int]:
    return {
        "debitCents": int(row["debit"]),
        "creditCents": int(row["credit"]),
        "netCents": int(row["debit"]) - int(row["credit"]),
        "estimatedDebitCents": int(row["estimated"]),
        "eventCount": int(row["events"]),
    }


async def finance_summary(
    session: AsyncSession, company_id: uuid.UUID, start, end, now: datetime
) -> dict[str, Any]:
    lo, hi = _bounds(start, end, now)
    row = await queries.FINANCE_SUMS.fetchrow(session, cid=company_id, lo=lo, hi=hi)
    assert row is not None  # an aggregate without GROUP BY always answers one row
    return {"companyId": str(company_id), **_fin(row)}


async def finance_by(
    session: AsyncSession,
    company_id: uuid.UUID,
    key: Literal["biller", "event_kind"],
    start,
    end,
    now: datetime,
) -> list[dict[str, Any]]:
    lo, hi = _bounds(start, end, now)
    rows = await queries.finance_sums_by(key).fetch(session, cid=company_id, lo=lo, hi=hi)
    name, count_name = ("biller", "kindCount") if key == "biller" else ("eventKind", "billerCount")
    out = []
    for row in rows:
        sums = _fin(row)
        out.append(
            {
                name: row["k"],
                "debitCents": sums["debitCents"],
                "creditCents": sums["creditCents"],
                "estimatedDebitCents": sums["estimatedDebitCents"],
                "eventCount": sums["eventCount"],
                count_name: int(row["others"]),
                "netCents": sums["netCents"],
            }
        )
    return out


async def cost_by_biller(
    session: AsyncSession, company_id: uuid.UUID, start, end, now: datetime
) -> list[dict[str, Any]]:
    lo, hi = _bounds(start, end, now)
    rows = await queries.COST_BY_BILLER.fetch(session, cid=company_id, lo=lo, hi=hi)
    return [
        {
            "biller": r["biller"],
            "costCents": int(r["cost"]),
            "inputTokens": int(r["input"]),
            "cachedInputTokens": int(r["cached"]),
            "outputTokens": int(r["output"]),
            "apiRunCount": r["api_runs"],
            "subscriptionRunCount": r["sub_runs"],
            "subscriptionCachedInputTokens": int(r["sub_cached"]),
            "subscriptionInputTokens": int(r["sub_input"]),
            "subscriptionOutputTokens": int(r["sub_output"]),
            "providerCount": r["providers"],
            "modelCount": r["models"],
        }
        for r in rows
    ]


async def window_spend(session: AsyncSession, company_id: uuid.UUID, now: datetime) -> list[dict[str, Any]]:
    """Rolling spend per provider and biller over the last 5 hours, 24 hours and 7 days (the windows
    subscription quotas are counted in); a window with no spend has no row."""
    rows = await queries.WINDOW_SPEND.fetch(session, cid=company_id, now=now)
    return [
        {
            "provider": r["provider"],
            "biller": r["biller"],
            "window": r["label"],
            "windowHours": r["hours"],
            "costCents": int(r["cost"]),
            "inputTokens": int(r["input"]),
            "cachedInputTokens": int(r["cached"]),
            "outputTokens": int(r["output"]),
        }
        for r in rows
    ]
