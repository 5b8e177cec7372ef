"""The one place tests make the things they need (issue 9).

- `ApiFactory(client)` (fixture `api`): companies, agents, keys, projects, goals, issues, secrets,
  routines and cost events made through the HTTP API as the client's actor (the board unless the
  headers say otherwise). Each method checks the creation succeeded and returns its JSON.
- `RowFactory(app)` (fixture `factory`): rows inserted with the app's write sessions, for what the
  API does not create (heartbeat runs) or when the HTTP path is not what a test is about; reading
  rows back and waiting for a run to end.
- `Sql(database_url)` (fixture `db`): plain psycopg statements (autocommit) for assertions and for
  setting up states no route reaches.

Keyword defaults give a usable object; a test passes only what it cares about. `tests/` is on
`sys.path` (its conftest.py), so any test module can `import factories`.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from paperclip.db.engine import unit_of_work
from paperclip.db.models import Agent, AgentWakeupRequest, Company, HeartbeatRun, Issue

TERMINAL = ("succeeded", "failed", "timed_out", "cancelled")
RUNNABLE_AGENT = {"adapterType": "process", "adapterConfig": {"command": "true"}}


def bearer(token: str, run_id: str | None = None) -> dict[str, str]:
    """An agent's request headers: its API key, and the run it acts in when given."""
    headers = {"Authorization": f"Bearer {token}"}
    if run_id:
        headers["X-Paperclip-Run-Id"] = run_id
    return headers


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class ApiFactory:
    """Makes things through the HTTP API (see the module docstring)."""

    def __init__(self, client):
        self.client = client

    async def ok(self, method: str, url: str, **kw) -> Any:
        """Any request that must succeed (status below 300); its JSON."""
        r = await self.client.request(method, url, **kw)
        assert r.status_code < 300, f"{method} {url}: {r.status_code} {r.text}"
        return r.json()

    async def _create(self, url: str, body: dict, headers: dict | None = None) -> dict:
        r = await self.client.post(url, json=body, headers=headers or {})
        assert r.status_code == 201, r.text
        return r.json()

    async def company(self, name: str = "Acme", **fields: Any) -> dict:
        return await self._create("/api/companies", {"name": name, **fields})

    async def agent(self, company_id: str, name: str = "Worker", **fields: Any) -> dict:
        """A runnable agent by default (process adapter running `true`); `fields` is the API body."""
        return await self._create(
            f"/api/companies/{company_id}/agents", {"name": name, **RUNNABLE_AGENT, **fields}
        )

    async def agent_key(self, agent_id: str, name: str = "test") -> str:
        """A new API key of the agent: its token."""
        return (await self._create(f"/api/agents/{agent_id}/keys", {"name": name}))["token"]

    async def agent_auth(self, agent_id: str, run_id: str | None = None) -> dict[str, str]:
        """Request headers acting as the agent (a new key of its own)."""
        return bearer(await self.agent_key(agent_id), run_id)

    async def project(self, company_id: str, name: str = "Project", **fields: Any) -> dict:
        return await self._create(f"/api/companies/{company_id}/projects", {"name": name, **fields})

    async def goal(self, company_id: str, title: str = "Goal", **fields: Any) -> dict:
        return await self._create(f"/api/companies/{company_id}/goals", {"title": title, **fields})

    async def issue(self, company_id: str, headers: dict | None = None, **fields: Any) -> dict:
        fields.setdefault("title", "An issue")
        return await self._create(f"/api/companies/{company_id}/issues", fields, headers)

    async def secret(self, company_id: str, name: str, value: str, **fields: Any) -> dict:
        return await self._create(
            f"/api/companies/{company_id}/secrets", {"name": name, "value": value, **fields}
        )

    async def routine(self, company_id: str, title: str = "Daily review", **fields: Any) -> dict:
        return await self._create(f"/api/companies/{company_id}/routines", {"title": title, **fields})

    async def schedule(self, routine_id: str, cron: str, timezone: str = "UTC", **fields: Any) -> dict:
        """A schedule trigger of the routine (the trigger object)."""
        body = {"kind": "schedule", "cronExpression": cron, "timezone": timezone, **fields}
        return (await self._create(f"/api/routines/{routine_id}/triggers", body))["trigger"]

    async def cost(
        self, company_id: str, agent_id: str, cents: int, headers: dict | None = None, **fields: Any
    ):
        """Reports a cost event; the response, unchecked (budget tests assert on refusals)."""
        body = {
            "agentId": agent_id,
            "provider": "anthropic",
            "model": "claude-sonnet",
            "inputTokens": 10,
            "outputTokens": 5,
            "costCents": cents,
            "occurredAt": fields.pop("occurredAt", None) or now_iso(),
            **fields,
        }
        return await self.client.post(
            f"/api/companies/{company_id}/cost-events", json=body, headers=headers or {}
        )


class RowFactory:
    """Makes and reads rows with the app's write sessions (see the module docstring)."""

    def __init__(self, app=None, *, sessions=None):
        self.app = app  # for its sessions and its heartbeat runtime (when started)
        self._sessions = sessions  # or only a session factory (a runtime or database built by the test)
        self._number = 0

    @property
    def sessions(self):
        return self._sessions or self.app.state.sessions

    async def _insert(self, table, values: dict) -> None:
        async with unit_of_work(self.sessions) as session:
            await session.execute(sa.insert(table).values(**values))

    async def company(self, **values: Any) -> uuid.UUID:
        cid = uuid.uuid4()
        values.setdefault("name", f"Co {cid.hex[:6]}")
        values.setdefault("issue_prefix", f"T{cid.hex[:5].upper()}")
        await self._insert(Company, {"id": cid, **values})
        return cid

    async def agent(
        self,
        company_id: uuid.UUID,
        *,
        adapter_type: str = "process",
        config: dict | None = None,
        runtime: dict | None = None,
        **values: Any,
    ) -> uuid.UUID:
        aid = uuid.uuid4()
        values.setdefault("name", f"Agent {aid.hex[:6]}")
        await self._insert(
            Agent,
            {
                "id": aid,
                "company_id": company_id,
                "adapter_type": adapter_type,
                "adapter_config": config or {"command": "true"},
                "runtime_config": runtime or {},
                **values,
            },
        )
        return aid

    async def issue(self, company_id: uuid.UUID, **values: Any) -> uuid.UUID:
        iid = uuid.uuid4()
        self._number += 1
        values.setdefault("title", "Task")
        await self._insert(
            Issue,
            {
                "id": iid,
                "company_id": company_id,
                "issue_number": self._number,
                "identifier": f"T-{iid.hex[:8]}",
                **values,
            },
        )
        return iid

    async def heartbeat_run(self, company_id: str, agent_id: str, status: str = "running") -> str:
        """A heartbeat run row (the heartbeat feature creates these in production); its id."""
        run_id = uuid.uuid4()
        await self._insert(
            HeartbeatRun,
            {
                "id": run_id,
                "company_id": uuid.UUID(str(company_id)),
                "agent_id": uuid.UUID(str(agent_id)),
                "invocation_source": "on_demand",
                "trigger_detail": "manual",
                "status": status,
            },
        )
        return str(run_id)

    async def set_run_status(self, run_id: str, status: str) -> None:
        async with unit_of_work(self.sessions) as session:
            await session.execute(
                sa.update(HeartbeatRun).where(HeartbeatRun.id == uuid.UUID(str(run_id))).values(status=status)
            )

    async def wakeups(self, agent_id: str) -> list[AgentWakeupRequest]:
        async with self.sessions() as session:
            rows = await session.scalars(
                sa.select(AgentWakeupRequest)
                .where(AgentWakeupRequest.agent_id == uuid.UUID(str(agent_id)))
                .order_by(AgentWakeupRequest.requested_at)
            )
            return list(rows)

    async def run(self, run_id: uuid.UUID | str) -> HeartbeatRun:
        async with self.sessions() as session:
            return await session.get(HeartbeatRun, uuid.UUID(str(run_id)))

    async def wait_run(self, run_id, statuses=TERMINAL, timeout: float = 30) -> HeartbeatRun:
        """The run once its status is one of `statuses` (and, when it ended, once the runner is done
        with it). Only a test on `app_with_runner` sees queued runs start."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            run = await self.run(run_id)
            if run is not None and run.status in statuses:
                runtime = getattr(getattr(self.app, "state", None), "heartbeat", None)
                runner = runtime.runner if runtime is not None else None
                if run.status in TERMINAL and runner is not None:  # let the runner finish its bookkeeping
                    while run.id in runner.active and asyncio.get_running_loop().time() < deadline:
                        await asyncio.sleep(0.02)
                    run = await self.run(run_id)
                return run
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"run {run_id} did not reach {statuses}: {run.status if run else None}")
            await asyncio.sleep(0.02)

    async def scalar(self, stmt):
        async with self.sessions() as session:
            return await session.scalar(stmt)

    async def rows(self, stmt):
        async with self.sessions() as session:
            return (await session.execute(stmt)).all()


class Sql:
    """Plain psycopg statements on the test database, each on its own autocommit connection."""

    def __init__(self, database_url: str):
        self.url = database_url.replace("postgresql+psycopg://", "postgresql://")

    def sql(self, query: str, *params: Any) -> list[dict]:
        import psycopg
        from psycopg.rows import dict_row

        with psycopg.connect(self.url, row_factory=dict_row, autocommit=True) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    def one(self, query: str, *params: Any) -> dict:
        rows = self.sql(query, *params)
        assert len(rows) == 1, rows
        return rows[0]
