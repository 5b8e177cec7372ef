"""What budgets need from the features they govern: declared here, implemented by those features,
installed once per process by the composition root.

A budget hard stop pauses an agent, a company or a project and raises a `budget_override_required`
approval; a raised budget resumes the scope and approves it. Those are the features' own operations
(agents/pausing.py, companies' and projects' lifecycle.py `pause_for` / `resume_from`,
approvals/system.py), but those features set budgets through costs (an agent's PATCH may change its
policy, a hire's approval creates one), so costs cannot import them without an import cycle. Instead costs declares the
operations it calls (`Governed`) and the composition root — `paperclip.wiring.install_governed`,
called by `api/router.mount_api` (every HTTP app) and by the background process — installs the
implementations. Nothing is installed by importing a module: a process that records a cost without
the wiring fails loudly at its first stop instead of silently skipping it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor


class PauseScope(Protocol):
    """Pause the scope for `reason`; record `<scope>.paused` with `details`; True if it changed."""

    async def __call__(
        self,
        session: AsyncSession,
        actor: Actor,
        company_id: uuid.UUID,
        scope_id: uuid.UUID,
        /,
        *,
        reason: str,
        details: dict[str, Any],
        now: datetime,
    ) -> bool: ...


class ResumeScope(Protocol):
    """Undo a pause for `reason` only; record `<scope>.resumed`; True if it changed."""

    async def __call__(
        self,
        session: AsyncSession,
        actor: Actor,
        company_id: uuid.UUID,
        scope_id: uuid.UUID,
        /,
        *,
        reason: str,
        now: datetime,
    ) -> bool: ...


class OpenApproval(Protocol):
    """A pending system approval; returns its id."""

    async def __call__(
        self,
        session: AsyncSession,
        company_id: uuid.UUID,
        approval_type: str,
        payload: dict[str, Any],
        now: datetime,
    ) -> uuid.UUID: ...


class DecideApprovals(Protocol):
    """Decide the approvals still in one of `from_statuses` (a note only when given)."""

    async def __call__(
        self,
        session: AsyncSession,
        approval_ids: Sequence[uuid.UUID],
        *,
        status: str,
        from_statuses: Collection[str],
        decided_by_user_id: str | None,
        now: datetime,
        decision_note: str | None = ...,
    ) -> None: ...


@dataclass(frozen=True)
class Governed:
    pause: Mapping[str, PauseScope]  # by scope type: "agent", "company", "project"
    resume: Mapping[str, ResumeScope]
    open_approval: OpenApproval
    decide_approvals: DecideApprovals


_installed: Governed | None = None


def install(governed: Governed) -> None:
    global _installed
    _installed = governed


def governed() -> Governed:
    if _installed is None:
        raise RuntimeError(
            "budgets cannot pause or resume anything: the governed features are not installed "
            "(paperclip.wiring.install_governed, called by the app and the background process)"
        )
    return _installed
