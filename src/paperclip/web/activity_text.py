"""Activity entries as sentences with links ("Ada checked out ACM-12 · Fix the login"), for the
dashboard, the issue page and the activity page. Names are looked up in two queries per page."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.agents.schemas import url_key
from paperclip.db.models import Agent
from paperclip.web import queries

VERBS = {
    "created": "created",
    "updated": "updated",
    "deleted": "deleted",
    "paused": "paused",
    "resumed": "resumed",
    "checked_out": "checked out",
    "released": "released",
    "comment_added": "commented on",
    "comment_deleted": "deleted a comment on",
    "key_created": "created an API key for",
    "key_revoked": "revoked an API key of",
    "config_rolled_back": "rolled back the configuration of",
    "budget_updated": "changed the budget of",
    "invoked": "woke",
    "cancelled": "cancelled a run of",
    "approved": "approved",
    "rejected": "rejected",
    "revision_requested": "asked for a revision of",
    "resubmitted": "resubmitted",
    "comment": "commented on",
    "archived": "archived",
    "terminated": "terminated",
    "reported": "reported a cost",
    "approval_linked": "linked an approval to",
    "attachment_added": "attached a file to",
    "attachment_removed": "removed an attachment from",
}


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        return None


class Names:
    """Agent and issue names for a batch of entries (and anything else that mentions them)."""

    def __init__(self) -> None:
        self.agents: dict[uuid.UUID, Agent] = {}
        self.issues: dict[uuid.UUID, tuple[str, str]] = {}
        self.users: dict[str, str] = {}

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        entries: Iterable[Mapping[str, Any]],
        *,
        agent_ids: Iterable[uuid.UUID] = (),
    ) -> Names:
        names = cls()
        agents: set[uuid.UUID] = set(agent_ids)
        issues: set[uuid.UUID] = set()
        users: set[str] = set()
        for e in entries:
            if e.get("actorType") == "user" and e.get("actorId") not in (None, "local-board"):
                users.add(str(e["actorId"]))
            if e.get("actorType") == "agent" and (a := _uuid(e.get("actorId"))):
                agents.add(a)
            if a := _uuid(e.get("agentId")):
                agents.add(a)
            entity = _uuid(e.get("entityId"))
            if entity and e.get("entityType") == "agent":
                agents.add(entity)
            elif entity and e.get("entityType") == "issue":
                issues.add(entity)
        if agents:
            for agent in await session.scalars(sa.select(Agent).where(Agent.id.in_(agents))):
                names.agents[agent.id] = agent
        if issues:
            rows = await queries.ISSUE_TITLES_BY_IDS.fetch(session, ids=list(issues))
            names.issues = {r["id"]: (r["identifier"], r["title"]) for r in rows}
        if users:  # people of authenticated mode: their names, not their ids
            rows = await queries.USER_NAMES_BY_IDS.fetch(session, ids=list(users))
            names.users = {r["id"]: r["name"] for r in rows}
        return names

    def agent_link(self, prefix: str, agent_id: Any) -> Markup:
        key = _uuid(agent_id) if agent_id else None
        agent = self.agents.get(key) if key is not None else None
        if agent is None:
            return Markup("an agent")
        return Markup('<a href="/{}/agents/{}">{}</a>').format(prefix, url_key(agent.name), agent.name)

    def actor(self, prefix: str, entry: Mapping[str, Any]) -> Markup:
        kind = entry.get("actorType")
        if kind == "agent":
            return self.agent_link(prefix, entry.get("actorId"))
        if kind == "user":
            actor_id = entry.get("actorId")
            if actor_id in (None, "local-board"):
                return Markup("Board")
            return escape(self.users.get(str(actor_id)) or "Someone")
        return Markup("System")

    def entity(self, prefix: str, entry: Mapping[str, Any]) -> Markup:
        kind, raw = entry.get("entityType"), entry.get("entityId")
        ident = _uuid(raw)
        if kind == "issue" and ident in self.issues:
            identifier, title = self.issues[ident]
            return Markup('<a href="/{}/issues/{}">{}</a> <span class="muted">{}</span>').format(
                prefix, identifier, identifier, title[:80]
            )
        if kind == "agent":
            return self.agent_link(prefix, raw)
        if kind == "approval":
            return Markup('<a href="/{}/approvals/{}">an approval</a>').format(prefix, raw)
        if kind == "project":
            return Markup('<a href="/{}/projects/{}">a project</a>').format(prefix, raw)
        if kind == "goal":
            return Markup('<a href="/{}/goals/{}">a goal</a>').format(prefix, raw)
        if kind == "cost_event":
            return Markup("")
        if kind == "heartbeat_run" or kind == "run":
            return Markup("a run")
        return escape(f"{kind}" if kind else "something")

    def sentence(self, prefix: str, entry: Mapping[str, Any]) -> Markup:
        action = str(entry.get("action") or "")
        noun, _, verb = action.partition(".")
        details = entry.get("details") or {}
        words = VERBS.get(verb, verb.replace("_", " ") or action)
        text = Markup("{} {} {}").format(self.actor(prefix, entry), words, self.entity(prefix, entry))
        if action == "issue.updated" and isinstance(details, dict) and details.get("status"):
            text += Markup(' → <span class="pill s-{0}">{0}</span>').format(details["status"])
        return text
