"""Agent runtime state and per-task sessions (core §2.10, §5.7)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.adapters.base import SessionState
from paperclip.db.models import AgentRuntimeState, AgentTaskSession
from paperclip.heartbeat.context import FRESH_SESSION_REASONS, HEARTBEAT_TASK_KEY
from paperclip.heartbeat.policy import heartbeat_policy
from paperclip.wire import iso, uid


def wants_fresh_session(context: dict[str, Any], runtime_config: dict[str, Any] | None) -> bool:
    reason = context.get("wakeReason")
    return (
        bool(context.get("forceFreshSession"))
        or reason in FRESH_SESSION_REASONS
        or reason in heartbeat_policy(runtime_config).fresh_session_wake_reasons
    )


async def load_session(
    session: AsyncSession,
    *,
    company_id: uuid.UUID,
    agent_id: uuid.UUID,
    adapter_type: str,
    context: dict[str, Any],
    runtime_config: dict[str, Any] | None,
) -> SessionState:
    task_key = str(context.get("taskKey") or HEARTBEAT_TASK_KEY)
    if wants_fresh_session(context, runtime_config):
        return SessionState(task_key=task_key)
    row = (
        await session.execute(
            sa.select(AgentTaskSession.session_params_json, AgentTaskSession.session_display_id).where(
                AgentTaskSession.company_id == company_id,
                AgentTaskSession.agent_id == agent_id,
                AgentTaskSession.adapter_type == adapter_type,
                AgentTaskSession.task_key == task_key,
            )
        )
    ).first()
    if row is None or not row.session_params_json:
        return SessionState(task_key=task_key)
    params = dict(row.session_params_json)
    return SessionState(
        task_key=task_key,
        session_id=params.get("sessionId"),
        session_params=params,
        session_display_id=row.session_display_id,
    )


async def save_session(
    session: AsyncSession,
    *,
    company_id: uuid.UUID,
    agent_id: uuid.UUID,
    adapter_type: str,
    task_key: str,
    params: dict[str, Any] | None,
    display_id: str | None,
    clear: bool,
    run_id: uuid.UUID,
    error: str | None,
    now: datetime,
) -> None:
    where = (
        AgentTaskSession.company_id == company_id,
        AgentTaskSession.agent_id == agent_id,
        AgentTaskSession.adapter_type == adapter_type,
        AgentTaskSession.task_key == task_key,
    )
    if clear:
        await session.execute(sa.delete(AgentTaskSession).where(*where))
        return
    if not params:
        return
    values = {
        "session_params_json": params,
        "session_display_id": display_id,
        "last_run_id": run_id,
        "last_error": error,
        "updated_at": now,
    }
    await session.execute(
        insert(AgentTaskSession)
        .values(
            id=uuid.uuid4(),
            company_id=company_id,
            agent_id=agent_id,
            adapter_type=adapter_type,
            task_key=task_key,
            created_at=now,
            **values,
        )
        .on_conflict_do_update(
            index_elements=["company_id", "agent_id", "adapter_type", "task_key"], set_=values
        )
    )


async def reset_sessions(
    session: AsyncSession, *, agent_id: uuid.UUID, task_key: str | None, now: datetime
) -> int:
    stmt = sa.delete(AgentTaskSession).where(AgentTaskSession.agent_id == agent_id)
    if task_key:
        stmt = stmt.where(AgentTaskSession.task_key == task_key)
    deleted = (await session.execute(stmt)).rowcount
    if not task_key:
        await session.execute(
            sa.update(AgentRuntimeState)
            .where(AgentRuntimeState.agent_id == agent_id)
            .values(session_id=None, updated_at=now)
        )
    return deleted


def runtime_state_to_wire(
    row: AgentRuntimeState | None,
    *,
    agent_id: uuid.UUID,
    company_id: uuid.UUID,
    adapter_type: str,
    sessions: list[AgentTaskSession],
) -> dict[str, Any]:
    default = next((s for s in sessions if s.task_key == HEARTBEAT_TASK_KEY), None)
    if row is None:
        return {
            "agentId": str(agent_id),
            "companyId": str(company_id),
            "adapterType": adapter_type,
            "sessionId": None,
            "stateJson": {},
            "lastRunId": None,
            "lastRunStatus": None,
            "totalInputTokens": 0,
            "totalOutputTokens": 0,
            "totalCachedInputTokens": 0,
            "totalCostCents": 0,
            "lastError": None,
            "createdAt": None,
            "updatedAt": None,
            "sessionDisplayId": None,
            "sessionParamsJson": None,
        }
    return {
        "agentId": str(row.agent_id),
        "companyId": str(row.company_id),
        "adapterType": row.adapter_type,
        "sessionId": row.session_id,
        "stateJson": row.state_json or {},
        "lastRunId": uid(row.last_run_id),
        "lastRunStatus": row.last_run_status,
        "totalInputTokens": row.total_input_tokens,
        "totalOutputTokens": row.total_output_tokens,
        "totalCachedInputTokens": row.total_cached_input_tokens,
        "totalCostCents": row.total_cost_cents,
        "lastError": row.last_error,
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
        "sessionDisplayId": default.session_display_id if default else None,
        "sessionParamsJson": default.session_params_json if default else None,
    }


def task_session_to_wire(row: AgentTaskSession) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "companyId": str(row.company_id),
        "agentId": str(row.agent_id),
        "adapterType": row.adapter_type,
        "taskKey": row.task_key,
        "sessionParamsJson": row.session_params_json,
        "sessionDisplayId": row.session_display_id,
        "lastRunId": uid(row.last_run_id),
        "lastError": row.last_error,
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }
