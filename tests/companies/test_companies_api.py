from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa

from paperclip.db.models import BudgetPolicy, CompanyMembership


async def _key_for_new_agent(client, company_id: str) -> tuple[str, str]:
    agent = (await client.post(f"/api/companies/{company_id}/agents", json={"name": "Worker"})).json()
    key = (await client.post(f"/api/agents/{agent['id']}/keys", json={"name": "k"})).json()
    return agent["id"], key["token"]


async def test_create_company_derives_prefix_and_defaults(client, app):
    r = await client.post("/api/companies", json={"name": "Paperclip Labs"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "active"
    assert body["issuePrefix"] == "PAP"
    assert body["issueCounter"] == 0
    assert body["budgetMonthlyCents"] == 0
    assert body["requireBoardApprovalForNewAgents"] is False
    async with app.state.sessions() as s:
        m = (
            await s.execute(
                sa.select(CompanyMembership).where(CompanyMembership.company_id == uuid.UUID(body["id"]))
            )
        ).scalar_one()
    assert (m.principal_type, m.principal_id, m.membership_role, m.status) == (
        "user",
        "local-board",
        "owner",
        "active",
    )
    activity = (await client.get(f"/api/companies/{body['id']}/activity")).json()
    assert [a["action"] for a in activity] == ["company.created"]
    assert activity[0]["actorType"] == "user" and activity[0]["actorId"] == "local-board"


async def test_prefix_collisions_append_a(client):
    prefixes = []
    for name in ("Paperclip Labs", "Paper Mill", "pap", "1234 !!"):
        r = await client.post("/api/companies", json={"name": name})
        assert r.status_code == 201
        prefixes.append(r.json()["issuePrefix"])
    assert prefixes == ["PAP", "PAPA", "PAPAA", "CMP"]


async def test_concurrent_creates_get_unique_prefixes(client):
    responses = await asyncio.gather(
        *(client.post("/api/companies", json={"name": "Acme"}) for _ in range(12))
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    prefixes = [r.json()["issuePrefix"] for r in responses]
    assert len(set(prefixes)) == 12
    assert set(prefixes) == {"ACM" + "A" * i for i in range(12)}


async def test_agent_cannot_create_company(client):
    company = (await client.post("/api/companies", json={"name": "Acme"})).json()
    _, token = await _key_for_new_agent(client, company["id"])
    r = await client.post(
        "/api/companies", json={"name": "Evil"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 403
    assert r.json() == {"error": "Board access required"}


async def test_get_list_and_not_found(client):
    company = (await client.post("/api/companies", json={"name": "Acme", "description": "d"})).json()
    listed = (await client.get("/api/companies")).json()
    assert [c["id"] for c in listed] == [company["id"]]
    got = await client.get(f"/api/companies/{company['id']}")
    assert got.status_code == 200 and got.json()["description"] == "d"
    for bad in ("not-a-uuid", str(uuid.uuid4()), "x" * 500):
        r = await client.get(f"/api/companies/{bad}")
        assert r.status_code == 404 and r.json() == {"error": "Company not found"}


async def test_agent_can_read_own_company_only(client):
    a = (await client.post("/api/companies", json={"name": "Alpha"})).json()
    b = (await client.post("/api/companies", json={"name": "Beta"})).json()
    _, token = await _key_for_new_agent(client, a["id"])
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get(f"/api/companies/{a['id']}", headers=auth)).status_code == 200
    r = await client.get(f"/api/companies/{b['id']}", headers=auth)
    assert r.status_code == 403 and r.json() == {"error": "Agent key cannot access another company"}
    assert (await client.get("/api/companies", headers=auth)).status_code == 403
    assert (
        await client.patch(f"/api/companies/{a['id']}", json={"name": "x"}, headers=auth)
    ).status_code == 403


async def test_patch_budget_upserts_company_policy(client, app):
    company = (await client.post("/api/companies", json={"name": "Acme", "budgetMonthlyCents": 500})).json()
    r = await client.patch(
        f"/api/companies/{company['id']}",
        json={
            "budgetMonthlyCents": 1000,
            "description": "new",
            "brandColor": "#ff0000",
            "requireBoardApprovalForNewAgents": True,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["budgetMonthlyCents"] == 1000 and body["brandColor"] == "#ff0000"
    assert body["requireBoardApprovalForNewAgents"] is True and body["description"] == "new"
    async with app.state.sessions() as s:
        rows = (await s.execute(sa.select(BudgetPolicy))).scalars().all()
    assert [(p.scope_type, str(p.scope_id), p.window_kind, p.metric, p.amount) for p in rows] == [
        ("company", company["id"], "calendar_month_utc", "billed_cents", 1000)
    ]
    actions = [a["action"] for a in (await client.get(f"/api/companies/{company['id']}/activity")).json()]
    assert actions == [
        "budget.policy_upserted",
        "company.updated",
        "budget.policy_upserted",
        "company.created",
    ]


async def test_lowering_company_budget_below_spend_pauses_it_and_raising_resumes(client, app):
    from datetime import UTC, datetime

    from paperclip.db.models import CostEvent

    cid = (await client.post("/api/companies", json={"name": "Acme", "budgetMonthlyCents": 1000})).json()[
        "id"
    ]
    agent = (await client.post(f"/api/companies/{cid}/agents", json={"name": "a"})).json()
    r = await client.post(
        f"/api/companies/{cid}/cost-events",
        json={
            "agentId": agent["id"],
            "provider": "p",
            "model": "m",
            "inputTokens": 1,
            "outputTokens": 1,
            "costCents": 500,
            "occurredAt": datetime.now(UTC).isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    async with app.state.sessions() as s:
        assert await s.scalar(sa.select(sa.func.count()).select_from(CostEvent)) == 1
    r = await client.patch(f"/api/companies/{cid}", json={"budgetMonthlyCents": 400})
    assert r.status_code == 200 and r.json()["status"] == "paused" and r.json()["pauseReason"] == "budget"
    r = await client.patch(f"/api/companies/{cid}", json={"budgetMonthlyCents": 5000})
    assert r.status_code == 200 and r.json()["status"] == "active"


async def test_patch_rejects_null_name_and_bad_status(client):
    company = (await client.post("/api/companies", json={"name": "Acme"})).json()
    r = await client.patch(f"/api/companies/{company['id']}", json={"name": None})
    assert r.status_code == 400 and r.json()["details"][0]["path"] == ["name"]
    r = await client.patch(f"/api/companies/{company['id']}", json={"status": "bogus"})
    assert r.status_code == 400 and r.json()["error"] == "Validation error"


async def test_archive_pauses_agents_and_reactivation_resumes_them(client):
    company = (await client.post("/api/companies", json={"name": "Acme"})).json()
    cid = company["id"]
    a1 = (await client.post(f"/api/companies/{cid}/agents", json={"name": "a1"})).json()
    a2 = (await client.post(f"/api/companies/{cid}/agents", json={"name": "a2"})).json()
    await client.post(f"/api/agents/{a2['id']}/pause")
    r = await client.post(f"/api/companies/{cid}/archive")
    assert r.status_code == 200 and r.json()["status"] == "archived"
    agents = {a["name"]: a for a in (await client.get(f"/api/companies/{cid}/agents")).json()}
    assert (agents["a1"]["status"], agents["a1"]["pauseReason"]) == ("paused", "company_archived")
    assert agents["a2"]["pauseReason"] == "manual"
    r = await client.patch(f"/api/companies/{cid}", json={"status": "active"})
    assert r.json()["status"] == "active"
    agents = {a["name"]: a for a in (await client.get(f"/api/companies/{cid}/agents")).json()}
    assert agents["a1"]["status"] == "idle" and agents["a2"]["status"] == "paused"
    assert a1["id"] in (a["id"] for a in agents.values())


async def test_org_tree(client):
    cid = (await client.post("/api/companies", json={"name": "Acme"})).json()["id"]
    ceo = (
        await client.post(
            f"/api/companies/{cid}/agents", json={"name": "CEO", "role": "ceo", "title": "Chief"}
        )
    ).json()
    cto = (
        await client.post(f"/api/companies/{cid}/agents", json={"name": "CTO", "reportsTo": ceo["id"]})
    ).json()
    eng = (
        await client.post(f"/api/companies/{cid}/agents", json={"name": "Eng", "reportsTo": cto["id"]})
    ).json()
    gone = (await client.post(f"/api/companies/{cid}/agents", json={"name": "Gone"})).json()
    await client.post(f"/api/agents/{gone['id']}/terminate")
    org = (await client.get(f"/api/companies/{cid}/org")).json()
    assert org == [
        {
            "id": ceo["id"],
            "name": "CEO",
            "role": "ceo",
            "title": "Chief",
            "status": "idle",
            "reports": [
                {
                    "id": cto["id"],
                    "name": "CTO",
                    "role": "general",
                    "title": None,
                    "status": "idle",
                    "reports": [
                        {
                            "id": eng["id"],
                            "name": "Eng",
                            "role": "general",
                            "title": None,
                            "status": "idle",
                            "reports": [],
                        }
                    ],
                }
            ],
        }
    ]


async def test_stats_counts_agents(client):
    cid = (await client.post("/api/companies", json={"name": "Acme"})).json()["id"]
    await client.post(f"/api/companies/{cid}/agents", json={"name": "a"})
    stats = (await client.get("/api/companies/stats")).json()
    assert stats == {cid: {"agentCount": 1, "issueCount": 0}}
