"""Agent use cases: list, get, create, update (with config revisions), rollback, permissions, delete."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.agents import revisions
from paperclip.agents.hierarchy import validate_manager
from paperclip.agents.schemas import AgentCreate, AgentPatch, PermissionsPatch
from paperclip.auth.actor import Actor
from paperclip.auth.memberships import require_member_grant
from paperclip.companies.service import get_company, require_company_exists
from paperclip.costs.budgets import upsert_budget_policy
from paperclip.db.models import Agent
from paperclip.db.paging import Window
from paperclip.errors import NotFound, Unauthorized
from paperclip.redaction import is_redacted_env_value
from paperclip.secrets.bindings import normalize_adapter_config

DEFAULT_RUNTIME_CONFIG: dict[str, Any] = {"heartbeat": {"enabled": False, "maxConcurrentRuns": 20}}
DEFAULT_PERMISSIONS: dict[str, Any] = {"canCreateAgents": True, "canCreateSkills": True}


async def list_agents(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, window: Window | None = None
) -> list[Agent]:
    actor.require_company(company_id)
    stmt = (
        sa.select(Agent)
        .where(Agent.company_id == company_id, Agent.status != "terminated")
        .order_by(Agent.created_at, Agent.id)
    )
    agents = list(await session.scalars(window.apply(stmt) if window else stmt))
    if not agents:
        await require_company_exists(session, company_id)
    return agents


async def get_agent(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, *, for_update: bool = False
) -> Agent:
    """The agent, if the actor may see its company (agents: their own company only)."""
    actor.require_authenticated()
    stmt = sa.select(Agent).where(Agent.id == agent_id)
    if for_update:
        stmt = stmt.with_for_update(key_share=True)
    agent = await session.scalar(stmt)
    if agent is None:
        raise NotFound("Agent not found")
    actor.require_company(agent.company_id)
    return agent


async def get_board_agent(session: AsyncSession, actor: Actor, agent_id: uuid.UUID) -> Agent:
    """The agent locked for a board mutation."""
    actor.require_board()
    return await get_agent(session, actor, agent_id, for_update=True)


async def me(session: AsyncSession, actor: Actor) -> Agent:
    if not actor.is_agent or actor.agent_id is None:
        raise Unauthorized("Agent authentication required")
    agent = await session.scalar(sa.select(Agent).where(Agent.id == actor.agent_id))
    if agent is None:
        raise Unauthorized("Agent authentication required")
    return agent


async def insert_agent(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    body: AgentCreate,
    *,
    status: str,
    now: datetime,
    strict_secrets: bool,
) -> Agent:
    """Validate and insert an agent row (+ its budget policy) and record `agent.created`.
    `strict_secrets`: secrets strict mode (sensitive env names need secret references)."""
    if body.reportsTo is not None:
        await validate_manager(session, company_id=company_id, manager_id=body.reportsTo)
    runtime = body.runtimeConfig if body.runtimeConfig is not None else DEFAULT_RUNTIME_CONFIG
    adapter_config = await normalize_adapter_config(
        session, company_id, body.adapterConfig, strict=strict_secrets
    )
    agent = Agent(
        id=uuid.uuid4(),
        company_id=company_id,
        name=body.name,
        role=body.role,
        title=body.title,
        icon=body.icon,
        status=status,
        reports_to=body.reportsTo,
        capabilities=body.capabilities,
        adapter_type=body.adapterType,
        adapter_config=adapter_config,
        runtime_config=runtime,
        budget_monthly_cents=body.budgetMonthlyCents,
        spent_monthly_cents=0,
        permissions=body.permissions if body.permissions is not None else dict(DEFAULT_PERMISSIONS),
        metadata_=body.metadata,
        created_at=now,
        updated_at=now,
    )
    session.add(agent)
    await session.flush()
    await record(
        session,
        actor,
        company_id=company_id,
        action="agent.created",
        entity_type="agent",
        entity_id=agent.id,
        details={"name": agent.name, "role": agent.role, "status": status},
    )
    if body.budgetMonthlyCents > 0:
        await upsert_budget_policy(
            session, actor, company_id, "agent", agent.id, body.budgetMonthlyCents, now=now, evaluate=False
        )
    return agent


async def create_agent(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    body: AgentCreate,
    now: datetime,
    *,
    strict_secrets: bool,
) -> Agent:
    actor.require_board()
    await get_company(session, actor, company_id)
    await require_member_grant(session, actor, company_id, "agents:create")
    return await insert_agent(
        session, actor, company_id, body, status="idle", now=now, strict_secrets=strict_secrets
    )


def _merged_adapter_config(
    current: dict[str, Any], incoming: dict[str, Any], replace: bool
) -> dict[str, Any]:
    merged = dict(incoming) if replace else {**current, **incoming}
    env, old_env = incoming.get("env"), current.get("env")
    if isinstance(env, dict) and isinstance(old_env, dict):
        # A client sending back what it read must not overwrite stored secrets with the placeholder.
        merged["env"] = {
            k: (old_env[k] if is_redacted_env_value(v) and k in old_env else v) for k, v in env.items()
        }
    return merged


async def update_agent(
    session: AsyncSession,
    actor: Actor,
    agent_id: uuid.UUID,
    body: AgentPatch,
    now: datetime,
    *,
    strict_secrets: bool,
) -> Agent:
    agent = await get_board_agent(session, actor, agent_id)
    before = revisions.snapshot(agent)
    if body.sent("reportsTo") and body.reportsTo is not None and body.reportsTo != agent.reports_to:
        await validate_manager(
            session, company_id=agent.company_id, manager_id=body.reportsTo, agent_id=agent.id
        )
    for key, attr in revisions.CONFIG_FIELDS.items():
        if key != "adapterConfig" and body.sent(key):
            setattr(agent, attr, getattr(body, key))
    if body.sent("adapterConfig"):
        merged = _merged_adapter_config(
            agent.adapter_config or {}, body.adapterConfig, body.replaceAdapterConfig
        )
        agent.adapter_config = await normalize_adapter_config(
            session, agent.company_id, merged, strict=strict_secrets, current=agent.adapter_config
        )
    permissions_changed = body.sent("permissions") and body.permissions != agent.permissions
    if permissions_changed:
        agent.permissions = body.permissions
    after = revisions.snapshot(agent)
    keys = revisions.changed_keys(before, after)
    if keys or permissions_changed:
        agent.updated_at = now
        await session.flush()
    if keys:
        await revisions.add_revision(session, actor, agent, before, after, keys, now=now)
    if keys or permissions_changed:
        details: dict[str, Any] = {
            "changedTopLevelKeys": keys + (["permissions"] if permissions_changed else [])
        }
        if "adapterConfig" in keys:
            old, new = before["adapterConfig"] or {}, after["adapterConfig"] or {}
            details["changedAdapterConfigKeys"] = sorted(
                k for k in old.keys() | new.keys() if old.get(k) != new.get(k)
            )
        await record(
            session,
            actor,
            company_id=agent.company_id,
            action="agent.updated",
            entity_type="agent",
            entity_id=agent.id,
            details=details,
        )
    return await _apply_budget_change(session, actor, agent, keys, now)


async def _apply_budget_change(
    session: AsyncSession, actor: Actor, agent: Agent, keys: list[str], now: datetime
) -> Agent:
    """A changed monthly budget goes through the governance feature's policy upsert (which may pause
    or resume the agent at once); the agent is then re-read."""
    if "budgetMonthlyCents" in keys:
        await upsert_budget_policy(
            session, actor, agent.company_id, "agent", agent.id, agent.budget_monthly_cents, now=now
        )
        await session.refresh(agent)
    return agent


async def rollback(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, revision_id: uuid.UUID, now: datetime
) -> Agent:
    agent = await get_board_agent(session, actor, agent_id)
    revision = await revisions.get_revision(session, agent.id, revision_id)
    target = revision.after_config or {}
    before = revisions.snapshot(agent)
    manager = target.get("reportsTo")
    if manager and uuid.UUID(manager) != agent.reports_to:
        await validate_manager(
            session, company_id=agent.company_id, manager_id=uuid.UUID(manager), agent_id=agent.id
        )
    for key, attr in revisions.CONFIG_FIELDS.items():
        if key in target:
            value = target[key]
            setattr(agent, attr, uuid.UUID(value) if key == "reportsTo" and value else value)
    after = revisions.snapshot(agent)
    keys = revisions.changed_keys(before, after)
    agent.updated_at = now
    await session.flush()
    await revisions.add_revision(
        session, actor, agent, before, after, keys, source="rollback", rolled_back_from=revision.id, now=now
    )
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action="agent.config_rolled_back",
        entity_type="agent",
        entity_id=agent.id,
        details={"revisionId": str(revision.id), "changedKeys": keys},
    )
    return await _apply_budget_change(session, actor, agent, keys, now)


async def update_permissions(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, body: PermissionsPatch, now: datetime
) -> Agent:
    agent = await get_board_agent(session, actor, agent_id)
    agent.permissions = {
        **(agent.permissions or {}),
        "canCreateAgents": body.canCreateAgents,
        "canAssignTasks": body.canAssignTasks,
    }
    agent.updated_at = now
    await session.flush()
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action="agent.permissions_updated",
        entity_type="agent",
        entity_id=agent.id,
        details={"canCreateAgents": body.canCreateAgents, "canAssignTasks": body.canAssignTasks},
    )
    return agent


async def delete_agent(session: AsyncSession, actor: Actor, agent_id: uuid.UUID) -> None:
    agent = await get_board_agent(session, actor, agent_id)
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action="agent.deleted",
        entity_type="agent",
        entity_id=agent.id,
        details={"name": agent.name},
    )
    await session.execute(sa.delete(Agent).where(Agent.id == agent.id))
