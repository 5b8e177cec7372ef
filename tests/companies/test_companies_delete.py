from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa

from paperclip.db.models import (
    ActivityLog,
    Agent,
    AgentWakeupRequest,
    Company,
    CostEvent,
    Goal,
    HeartbeatRun,
    Issue,
    IssueComment,
    ProjectGoal,
)
from paperclip.heartbeat.wakeups import request_wakeup


async def test_delete_company_with_everything_in_it(client, app):
    cid = (await client.post("/api/companies", json={"name": "Doomed", "budgetMonthlyCents": 100})).json()[
        "id"
    ]
    other = (await client.post("/api/companies", json={"name": "Survivor"})).json()["id"]
    ceo = (
        await client.post(f"/api/companies/{cid}/agents", json={"name": "CEO", "budgetMonthlyCents": 50})
    ).json()
    eng = (
        await client.post(f"/api/companies/{cid}/agents", json={"name": "Eng", "reportsTo": ceo["id"]})
    ).json()
    await client.post(f"/api/agents/{eng['id']}/keys", json={"name": "k"})
    await client.patch(f"/api/agents/{eng['id']}", json={"title": "Engineer"})  # a config revision
    goal = (
        await client.post(f"/api/companies/{cid}/goals", json={"title": "Win", "level": "company"})
    ).json()
    sub = (
        await client.post(f"/api/companies/{cid}/goals", json={"title": "Sub", "parentId": goal["id"]})
    ).json()
    project = (
        await client.post(
            f"/api/companies/{cid}/projects",
            json={"name": "P", "goalIds": [goal["id"], sub["id"]], "leadAgentId": ceo["id"]},
        )
    ).json()
    await client.post(f"/api/companies/{cid}/agent-hires", json={"name": "Hire"})
    now = datetime.now(UTC)
    company_id, agent_id = uuid.UUID(cid), uuid.UUID(eng["id"])
    async with app.state.sessions() as s, s.begin():
        outcome = await request_wakeup(
            s, company_id=company_id, agent_id=agent_id, source="on_demand", reason="test", now=now
        )
        await s.execute(
            sa.update(HeartbeatRun).where(HeartbeatRun.id == outcome.run_id).values(status="running")
        )
        issue_id = uuid.uuid4()
        await s.execute(
            sa.insert(Issue).values(
                id=issue_id,
                company_id=company_id,
                project_id=uuid.UUID(project["id"]),
                goal_id=uuid.UUID(goal["id"]),
                title="t",
                status="in_progress",
                assignee_agent_id=agent_id,
                checkout_run_id=outcome.run_id,
                execution_run_id=outcome.run_id,
                issue_number=1,
                identifier="DOO-1",
            )
        )
        await s.execute(
            sa.insert(Issue).values(
                company_id=company_id, parent_id=issue_id, title="child", issue_number=2, identifier="DOO-2"
            )
        )
        await s.execute(
            sa.insert(IssueComment).values(
                company_id=company_id,
                issue_id=issue_id,
                body="hi",
                author_agent_id=agent_id,
                created_by_run_id=outcome.run_id,
            )
        )
        await s.execute(
            sa.insert(CostEvent).values(
                company_id=company_id,
                agent_id=agent_id,
                issue_id=issue_id,
                project_id=uuid.UUID(project["id"]),
                goal_id=uuid.UUID(goal["id"]),
                heartbeat_run_id=outcome.run_id,
                provider="p",
                model="m",
                cost_cents=5,
                occurred_at=now,
            )
        )
        await s.execute(
            sa.insert(ActivityLog).values(
                company_id=company_id,
                action="x",
                entity_type="issue",
                entity_id=str(issue_id),
                agent_id=agent_id,
                run_id=outcome.run_id,
            )
        )

    r = await client.delete(f"/api/companies/{cid}")
    assert r.status_code == 200, r.text
    assert r.json() == {"ok": True}
    assert (await client.get(f"/api/companies/{cid}")).status_code == 404
    async with app.state.sessions() as s:
        for model in (
            Agent,
            Goal,
            Issue,
            HeartbeatRun,
            AgentWakeupRequest,
            CostEvent,
            ActivityLog,
            ProjectGoal,
        ):
            count = await s.scalar(
                sa.select(sa.func.count()).select_from(model).where(model.company_id == company_id)
            )
            assert count == 0, model.__name__
        assert await s.scalar(sa.select(sa.func.count()).select_from(Company)) == 1
    assert (await client.get(f"/api/companies/{other}")).status_code == 200
    assert (await client.delete(f"/api/companies/{cid}")).status_code == 404


async def test_delete_refused_when_deletion_disabled(make_settings, database_url):
    from paperclip.server.runtime import build_app

    settings = make_settings({"PAPERCLIP_ENABLE_COMPANY_DELETION": "false"})
    application = build_app(settings, database_url, 3100, role="api")
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as client:
            cid = (await client.post("/api/companies", json={"name": "Keep"})).json()["id"]
            r = await client.delete(f"/api/companies/{cid}")
            assert r.status_code == 403
            assert r.json() == {"error": "Company deletion is disabled"}
            assert (await client.get(f"/api/companies/{cid}")).status_code == 200
