"""Agent request bodies and JSON shapes (adapter secrets redacted on the way out)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StrictStr

from paperclip.companies.fields import (
    Body,
    Cents,
    Description,
    Flag,
    JsonObject,
    Name,
    ShortText,
    bounded_text,
)
from paperclip.db.models import Agent, AgentApiKey, AgentConfigRevision
from paperclip.redaction import redact, redact_adapter_config
from paperclip.wire import iso, uid

AgentRole = Literal[
    "ceo",
    "cto",
    "cmo",
    "cfo",
    "security",
    "engineer",
    "designer",
    "pm",
    "qa",
    "devops",
    "researcher",
    "general",
]
AdapterType = Annotated[StrictStr, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Icon = bounded_text(0, 64)


class AgentCreate(Body):
    name: Name
    role: AgentRole = "general"
    title: ShortText | None = None
    icon: Icon | None = None
    reportsTo: uuid.UUID | None = None
    capabilities: Description | None = None
    adapterType: AdapterType = "process"
    adapterConfig: JsonObject = Field(default_factory=dict)
    runtimeConfig: JsonObject | None = None
    budgetMonthlyCents: Cents = 0
    permissions: JsonObject | None = None
    metadata: JsonObject | None = None


class AgentPatch(Body):
    name: Name = None  # type: ignore[assignment]
    role: AgentRole = None  # type: ignore[assignment]
    title: ShortText | None = None
    icon: Icon | None = None
    reportsTo: uuid.UUID | None = None
    capabilities: Description | None = None
    adapterType: AdapterType = None  # type: ignore[assignment]
    adapterConfig: JsonObject = None  # type: ignore[assignment]
    replaceAdapterConfig: Flag = False
    runtimeConfig: JsonObject = None  # type: ignore[assignment]
    budgetMonthlyCents: Cents = None  # type: ignore[assignment]
    permissions: JsonObject = None  # type: ignore[assignment]
    metadata: JsonObject | None = None


class KeyCreate(Body):
    name: Name = "default"


class PermissionsPatch(Body):
    canCreateAgents: Flag
    canAssignTasks: Flag


# -- wire shapes -------------------------------------------------------------------------------

_SLUG = re.compile(r"[^a-z0-9]+")


def url_key(name: str) -> str:
    return _SLUG.sub("-", name.lower()).strip("-") or "agent"


def agent_to_wire(a: Agent) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "companyId": str(a.company_id),
        "name": a.name,
        "urlKey": url_key(a.name),
        "role": a.role,
        "title": a.title,
        "icon": a.icon,
        "status": a.status,
        "reportsTo": uid(a.reports_to),
        "capabilities": a.capabilities,
        "adapterType": a.adapter_type,
        "adapterConfig": redact_adapter_config(a.adapter_config),
        "runtimeConfig": redact(a.runtime_config or {}),
        "budgetMonthlyCents": a.budget_monthly_cents,
        "spentMonthlyCents": a.spent_monthly_cents,
        "pauseReason": a.pause_reason,
        "pausedAt": iso(a.paused_at),
        "permissions": a.permissions or {},
        "lastHeartbeatAt": iso(a.last_heartbeat_at),
        "metadata": a.metadata_,
        "createdAt": iso(a.created_at),
        "updatedAt": iso(a.updated_at),
    }


def configuration_to_wire(a: Agent) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "companyId": str(a.company_id),
        "name": a.name,
        "role": a.role,
        "title": a.title,
        "status": a.status,
        "reportsTo": uid(a.reports_to),
        "adapterType": a.adapter_type,
        "adapterConfig": redact_adapter_config(a.adapter_config),
        "runtimeConfig": redact(a.runtime_config or {}),
        "permissions": a.permissions or {},
        "updatedAt": iso(a.updated_at),
    }


def key_to_wire(k: AgentApiKey, token: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": str(k.id), "name": k.name}
    if token is not None:
        out["token"] = token
    else:
        out["lastUsedAt"] = iso(k.last_used_at)
        out["revokedAt"] = iso(k.revoked_at)
    out["createdAt"] = iso(k.created_at)
    return out


def _redact_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    out = redact(snapshot)
    if isinstance(snapshot.get("adapterConfig"), dict):
        out["adapterConfig"] = redact_adapter_config(snapshot["adapterConfig"])
    return out


def revision_to_wire(r: AgentConfigRevision) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "companyId": str(r.company_id),
        "agentId": str(r.agent_id),
        "createdByAgentId": uid(r.created_by_agent_id),
        "createdByUserId": r.created_by_user_id,
        "source": r.source,
        "rolledBackFromRevisionId": uid(r.rolled_back_from_revision_id),
        "changedKeys": r.changed_keys,
        "beforeConfig": _redact_snapshot(r.before_config or {}),
        "afterConfig": _redact_snapshot(r.after_config or {}),
        "createdAt": iso(r.created_at),
    }
