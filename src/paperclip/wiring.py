"""Cross-feature wiring done by the composition root: the implementations of protocols that lower
features declare for the features above them. Imported only by the app's router (`mount_api`) and
the server's background process; features never import it.

- budgets (costs/governed.py) pause and resume agents, companies and projects, and open and decide
  their `budget_override_required` approvals, through those features' own service functions;
- a company archived or reactivated (companies/agent_pausing.py) pauses or resumes its agents through
  the agents feature's (agents/pausing.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.agents import pausing as agents_pausing
from paperclip.approvals import system as system_approvals
from paperclip.auth.actor import Actor
from paperclip.companies import agent_pausing as company_agents
from paperclip.companies import lifecycle as companies_lifecycle
from paperclip.costs import governed
from paperclip.projects import lifecycle as projects_lifecycle


async def _pause_company(
    session: AsyncSession,
    actor: Actor,
    _company_id: uuid.UUID,  # a company scope is the company itself (budgets check it)
    scope_id: uuid.UUID,
    *,
    reason: str,
    details: dict[str, Any],
    now: datetime,
) -> bool:
    return await companies_lifecycle.pause_for(
        session, actor, scope_id, reason=reason, details=details, now=now
    )


async def _resume_company(
    session: AsyncSession,
    actor: Actor,
    _company_id: uuid.UUID,  # a company scope is the company itself (budgets check it)
    scope_id: uuid.UUID,
    *,
    reason: str,
    now: datetime,
) -> bool:
    return await companies_lifecycle.resume_from(session, actor, scope_id, reason=reason, now=now)


GOVERNED = governed.Governed(
    pause={
        "agent": agents_pausing.pause_for,
        "company": _pause_company,
        "project": projects_lifecycle.pause_for,
    },
    resume={
        "agent": agents_pausing.resume_from,
        "company": _resume_company,
        "project": projects_lifecycle.resume_from,
    },
    open_approval=system_approvals.open_system_approval,
    decide_approvals=system_approvals.decide_system_approvals,
)


COMPANY_AGENTS = company_agents.AgentPausing(
    pause_all=agents_pausing.pause_company_agents,
    resume_all=agents_pausing.resume_company_agents,
)


def install_governed() -> None:
    """Every cross-feature operation above: budgets' governed scopes and companies' agents."""
    governed.install(GOVERNED)
    company_agents.install(COMPANY_AGENTS)
