"""Recovery actions (`/issues/:id/recovery-actions`): in the original, its stranded-work watchdog opens a
recovery action on an issue whose run died mid-action, and an operator resolves it. This server's
reaper ends such runs and releases their locks itself (heartbeat/README.md) and opens no recovery
action, so an issue never has one: the list is empty and a resolution finds nothing to resolve — the
same answers the original gives for an issue without one. The body is still checked first, as the
original does, so a client's mistake is reported as one."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.errors import NotFound
from paperclip.issues.identifiers import find_issue


class ExecutionReconciliation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    runId: uuid.UUID  # noqa: N815
    providerStopped: Literal[True]  # noqa: N815
    actionOutcome: Literal["completed", "not_performed", "mixed"]  # noqa: N815
    outcomeEvidence: Annotated[str, StringConstraints(min_length=20, max_length=12000)]  # noqa: N815


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    executionReconciliation: ExecutionReconciliation | None = None  # noqa: N815
    actionId: uuid.UUID | None = None  # noqa: N815
    outcome: Literal["restored", "false_positive", "blocked", "cancelled"]
    sourceIssueStatus: Literal["todo", "done", "in_review", "blocked"]  # noqa: N815
    resolutionNote: Annotated[str, StringConstraints(max_length=12000)] | None = None  # noqa: N815


async def list_actions(session: AsyncSession, actor: Actor, ref: str) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    return {"active": None, "actions": []}


async def resolve(session: AsyncSession, actor: Actor, ref: str, _body: ResolveBody) -> dict[str, Any]:
    issue = await find_issue(session, ref)
    actor.require_company(issue["company_id"])
    raise NotFound("Active recovery action not found")
