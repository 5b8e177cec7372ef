"""What a company's lifecycle needs from the agents feature: declared here, implemented by
agents/pausing.py, installed once per process by the composition root (paperclip/wiring.py).

Archiving a company pauses its agents (pause reason `company_archived`) and reactivating it resumes
them. The agents table is the agents feature's to write, but agents import companies (a hire reads
its company), so companies cannot import agents without an import cycle: like budgets
(costs/governed.py), companies declare the operations they call and the wiring installs them. Nothing
is installed by importing a module: archiving without the wiring fails loudly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class CompanyAgents(Protocol):
    """Pause (or resume) the company's agents for `reason`; the ids of the agents it changed."""

    async def __call__(
        self, session: AsyncSession, company_id: uuid.UUID, /, *, reason: str, now: datetime
    ) -> list[uuid.UUID]: ...


@dataclass(frozen=True)
class AgentPausing:
    pause_all: CompanyAgents
    resume_all: CompanyAgents


_installed: AgentPausing | None = None


def install(pausing: AgentPausing) -> None:
    global _installed
    _installed = pausing


def agent_pausing() -> AgentPausing:
    if _installed is None:
        raise RuntimeError(
            "companies cannot pause or resume their agents: the agents feature is not installed "
            "(paperclip.wiring.install_governed, called by the app and the background process)"
        )
    return _installed
