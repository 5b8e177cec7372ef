"""Company use cases: list, stats, create (unique issue prefix), get, update, delete."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.companies import lifecycle
from paperclip.companies.prefix import base_prefix, candidates
from paperclip.companies.schemas import BrandingPatch, CompanyCreate, CompanyPatch
from paperclip.config import Settings
from paperclip.costs.budgets import upsert_budget_policy
from paperclip.db.models import Agent, Company, CompanyMembership, Issue
from paperclip.db.paging import Window
from paperclip.errors import Conflict, Forbidden, NotFound
from paperclip.storage.cleanup import forget_company_objects
from paperclip.storage.service import require_logo_asset

log = logging.getLogger("paperclip.companies")
MAX_PREFIX_ATTEMPTS = 200


def _visible(actor: Actor, stmt: sa.Select) -> sa.Select:
    allowed = actor.visible_company_ids()
    return stmt if allowed is None else stmt.where(Company.id.in_(allowed or [uuid.UUID(int=0)]))


async def list_companies(session: AsyncSession, actor: Actor, window: Window | None = None) -> list[Company]:
    actor.require_board()
    stmt = _visible(actor, sa.select(Company)).order_by(Company.created_at, Company.id)
    return list(await session.scalars(window.apply(stmt) if window else stmt))


async def company_stats(session: AsyncSession, actor: Actor) -> dict[str, dict[str, int]]:
    actor.require_board()
    agents = (
        sa.select(sa.func.count())
        .where(Agent.company_id == Company.id, Agent.status != "terminated")
        .correlate(Company)
        .scalar_subquery()
    )
    issues = (
        sa.select(sa.func.count()).where(Issue.company_id == Company.id).correlate(Company).scalar_subquery()
    )
    rows = await session.execute(_visible(actor, sa.select(Company.id, agents, issues)))
    return {str(cid): {"agentCount": a, "issueCount": i} for cid, a, i in rows}


async def get_company(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, *, for_update: bool = False
) -> Company:
    actor.require_authenticated()
    stmt = sa.select(Company).where(Company.id == company_id)
    if for_update:
        stmt = stmt.with_for_update(key_share=True)
    company = await session.scalar(stmt)
    if company is None:
        raise NotFound("Company not found")
    actor.require_company(company.id)
    return company


async def require_company_exists(session: AsyncSession, company_id: uuid.UUID) -> None:
    """For list routes: call only when the list came back empty (a non-empty list proves the company)."""
    if not await session.scalar(sa.select(sa.exists().where(Company.id == company_id))):
        raise NotFound("Company not found")


async def create_company(session: AsyncSession, actor: Actor, body: CompanyCreate, now: datetime) -> Company:
    actor.require_board()
    base = base_prefix(body.name)
    taken = set(
        await session.scalars(sa.select(Company.issue_prefix).where(Company.issue_prefix.like(base + "%")))
    )
    values: dict[str, Any] = {
        "name": body.name,
        "description": body.description,
        "status": "active",
        "issue_counter": 0,
        "budget_monthly_cents": body.budgetMonthlyCents,
        "require_board_approval_for_new_agents": body.requireBoardApprovalForNewAgents,
        "brand_color": body.brandColor,
        "created_at": now,
        "updated_at": now,
    }
    company = None
    for attempt, prefix in enumerate(candidates(base, taken)):
        if attempt >= MAX_PREFIX_ATTEMPTS:
            raise Conflict("Could not allocate a unique issue prefix")
        # ON CONFLICT DO NOTHING waits for a concurrent insert of the same prefix, then yields no row:
        # the loop moves on to the next suffix without aborting the transaction.
        stmt = (
            insert(Company)
            .values(id=uuid.uuid4(), issue_prefix=prefix, **values)
            .on_conflict_do_nothing(index_elements=["issue_prefix"])
            .returning(Company)
        )
        company = (await session.execute(stmt)).scalar_one_or_none()
        if company is not None:
            break
    assert company is not None
    if actor.user_id:
        await session.execute(
            insert(CompanyMembership)
            .values(
                company_id=company.id,
                principal_type="user",
                principal_id=actor.user_id,
                status="active",
                membership_role="owner",
            )
            .on_conflict_do_nothing()
        )
    await record(
        session,
        actor,
        company_id=company.id,
        action="company.created",
        entity_type="company",
        entity_id=company.id,
        details={"name": company.name, "issuePrefix": company.issue_prefix},
    )
    if body.budgetMonthlyCents > 0:
        await upsert_budget_policy(
            session,
            actor,
            company.id,
            "company",
            company.id,
            body.budgetMonthlyCents,
            now=now,
            evaluate=False,
        )
    return company


_PATCH_COLUMNS = {
    "name": "name",
    "description": "description",
    "budgetMonthlyCents": "budget_monthly_cents",
    "requireBoardApprovalForNewAgents": "require_board_approval_for_new_agents",
    "brandColor": "brand_color",
    "logoAssetId": "logo_asset_id",
}


async def update_company(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    body: CompanyPatch | BrandingPatch,
    now: datetime,
    action: str = "company.updated",
) -> Company:
    actor.require_board()
    company = await get_company(session, actor, company_id, for_update=True)
    changes: dict[str, Any] = {}
    for field, column in _PATCH_COLUMNS.items():
        if body.sent(field) and getattr(company, column) != getattr(body, field):
            if field == "logoAssetId":
                await require_logo_asset(session, company.id, body.logoAssetId)
            setattr(company, column, getattr(body, field))
            changes[field] = (
                str(body.logoAssetId) if field == "logoAssetId" and body.logoAssetId else getattr(body, field)
            )
    status_details: dict[str, Any] = {}
    if isinstance(body, CompanyPatch) and body.sent("status") and body.status != company.status:
        changes["status"] = body.status
        status_details = await lifecycle.set_status(session, company, body.status, now)
    company.updated_at = now
    await session.flush()
    await record(
        session,
        actor,
        company_id=company.id,
        action=action,
        entity_type="company",
        entity_id=company.id,
        details={**changes, **status_details},
    )
    if "budgetMonthlyCents" in changes:
        # The governance feature owns policies: a lower limit may pause the company, a higher one resume it.
        await upsert_budget_policy(
            session, actor, company.id, "company", company.id, company.budget_monthly_cents, now=now
        )
        await session.refresh(company)
    return company


async def archive_company(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, now: datetime
) -> Company:
    actor.require_board()
    company = await get_company(session, actor, company_id, for_update=True)
    details = await lifecycle.set_status(session, company, "archived", now)
    company.updated_at = now
    await session.flush()
    await record(
        session,
        actor,
        company_id=company.id,
        action="company.archived",
        entity_type="company",
        entity_id=company.id,
        details=details,
    )
    return company


async def delete_company(
    session: AsyncSession, actor: Actor, settings: Settings, company_id: uuid.UUID
) -> None:
    actor.require_board()
    if not settings.company_deletion_enabled:
        raise Forbidden("Company deletion is disabled")
    company = await get_company(session, actor, company_id, for_update=True)
    await forget_company_objects(session, company.id, settings.storage.provider)  # its stored files, queued
    # Every company-owned row cascades from companies.id (the activity log included, so the
    # deletion itself is recorded in the server log rather than in the company's activity).
    await session.execute(sa.delete(Company).where(Company.id == company.id))
    log.info(
        "company.deleted id=%s name=%r by %s:%s",
        company.id,
        company.name,
        actor.activity_type,
        actor.activity_id,
    )
