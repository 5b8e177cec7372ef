"""Who is calling: the board (local implicit, session, board key), an agent (key or run JWT), or nobody."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from paperclip.errors import Forbidden, Unauthorized

LOCAL_BOARD_USER_ID = "local-board"


@dataclass(frozen=True)
class Actor:
    type: str  # "board" | "agent" | "none"
    source: str  # local_implicit | session | board_key | agent_key | agent_jwt | none
    user_id: str | None = None
    agent_id: uuid.UUID | None = None
    company_id: uuid.UUID | None = None  # an agent's company
    company_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)  # a board user's memberships
    is_instance_admin: bool = False
    key_id: uuid.UUID | None = None
    run_id: uuid.UUID | None = None
    # Companies where a board user's membership role is `viewer` (read-only), and whether this
    # request changes anything (set from its method): require_company refuses viewers' writes.
    viewer_company_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    mutating: bool = False
    session_id: uuid.UUID | None = None  # the auth_sessions row of a `session` actor

    @property
    def is_board(self) -> bool:
        return self.type == "board"

    @property
    def is_agent(self) -> bool:
        return self.type == "agent"

    def require_authenticated(self) -> None:
        if self.type == "none":
            raise Unauthorized("Unauthorized")

    def require_board(self) -> None:
        self.require_authenticated()
        if not self.is_board:
            raise Forbidden("Board access required")

    def require_instance_admin(self) -> None:
        self.require_board()
        if not (self.is_instance_admin or self.source == "local_implicit"):
            raise Forbidden("Instance admin required")

    @property
    def sees_every_company(self) -> bool:
        """An instance admin or the local implicit board: every company is visible."""
        return self.is_board and (self.is_instance_admin or self.source == "local_implicit")

    def visible_company_ids(self) -> list[uuid.UUID] | None:
        """The companies this actor may access, as a SQL parameter (None: every company). The one
        statement of the company-visibility rule; `can_access` answers the same for one company."""
        if self.is_agent:
            return [self.company_id] if self.company_id is not None else []
        if self.is_board:
            return None if self.sees_every_company else sorted(self.company_ids)
        return []

    def can_access(self, company_id: uuid.UUID) -> bool:
        if self.is_agent:
            return self.company_id == company_id
        return self.sees_every_company or (self.is_board and company_id in self.company_ids)

    def require_company(self, company_id: uuid.UUID) -> None:
        self.require_authenticated()
        if self.is_agent and self.company_id != company_id:
            raise Forbidden("Agent key cannot access another company")
        if self.is_board and not self.can_access(company_id):
            raise Forbidden("User does not have access to this company")
        if self.mutating and company_id in self.viewer_company_ids and not self.is_instance_admin:
            raise Forbidden("Viewer access is read-only")

    def is_viewer_of(self, company_id: uuid.UUID) -> bool:
        return company_id in self.viewer_company_ids and not self.is_instance_admin

    # How the actor appears in activity entries and created_by columns.
    @property
    def activity_type(self) -> str:
        return {"board": "user", "agent": "agent"}.get(self.type, "system")

    @property
    def activity_id(self) -> str:
        if self.is_agent:
            return str(self.agent_id)
        return self.user_id or "system"


LOCAL_BOARD = Actor(
    type="board", source="local_implicit", user_id=LOCAL_BOARD_USER_ID, is_instance_admin=True
)
ANONYMOUS = Actor(type="none", source="none")
SYSTEM = Actor(type="none", source="system")
