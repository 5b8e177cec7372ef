from __future__ import annotations

import uuid

import sqlalchemy as sa

from paperclip.db.models import Agent, BudgetPolicy


async def test_create_agent_defaults_and_activity(client, api):
    cid = (await api.company())["id"]
    r = await client.post(f"/api/companies/{cid}/agents", json={"name": "Builder Bot"})
    assert r.status_code == 201, r.text
    agent = r.json()
    assert agent["status"] == "idle" and agent["adapterType"] == "process" and agent["role"] == "general"
    assert agent["companyId"] == cid and agent["reportsTo"] is None and agent["urlKey"] == "builder-bot"
    assert agent["budgetMonthlyCents"] == 0 and agent["spentMonthlyCents"] == 0
    activity = (await client.get(f"/api/companies/{cid}/activity")).json()
    assert activity[0]["action"] == "agent.created" and activity[0]["entityId"] == agent["id"]
    assert activity[0]["entityType"] == "agent"


async def test_agent_budget_upserts_agent_policy(client, api, app):
    cid = (await api.company())["id"]
    agent = await api.agent(cid, budgetMonthlyCents=250)
    await client.patch(f"/api/agents/{agent['id']}", json={"budgetMonthlyCents": 400})
    async with app.state.sessions() as s:
        rows = (await s.execute(sa.select(BudgetPolicy))).scalars().all()
    assert [(p.scope_type, str(p.scope_id), p.amount) for p in rows] == [("agent", agent["id"], 400)]


async def test_list_get_and_not_found(client, api):
    cid = (await api.company())["id"]
    a = await api.agent(cid, "A")
    b = await api.agent(cid, "B")
    gone = await api.agent(cid, "Gone")
    await client.post(f"/api/agents/{gone['id']}/terminate")
    listed = (await client.get(f"/api/companies/{cid}/agents")).json()
    assert [x["id"] for x in listed] == [a["id"], b["id"]]
    got = (await client.get(f"/api/agents/{gone['id']}")).json()
    assert got["status"] == "terminated"
    r = await client.get(f"/api/agents/{uuid.uuid4()}")
    assert r.status_code == 404 and r.json() == {"error": "Agent not found"}
    r = await client.get("/api/agents/nope")  # not a UUID: a URL key, which needs a company (as the original)
    assert r.status_code == 422
    r = await client.post(f"/api/companies/{uuid.uuid4()}/agents", json={"name": "x"})
    assert r.status_code == 404 and r.json() == {"error": "Company not found"}


async def test_reports_to_rules(client, api):
    cid = (await api.company("Alpha"))["id"]
    other = (await api.company("Beta"))["id"]
    ceo = await api.agent(cid, "CEO", role="ceo")
    eng = await api.agent(cid, "Eng", reportsTo=ceo["id"])
    foreign = await api.agent(other, "Foreign")
    r = await client.post(f"/api/companies/{cid}/agents", json={"name": "x", "reportsTo": foreign["id"]})
    assert r.status_code == 422 and r.json() == {"error": "Manager must belong to same company"}
    r = await client.post(f"/api/companies/{cid}/agents", json={"name": "x", "reportsTo": str(uuid.uuid4())})
    assert r.status_code == 404 and r.json() == {"error": "Manager not found"}
    r = await client.patch(f"/api/agents/{ceo['id']}", json={"reportsTo": eng["id"]})
    assert r.status_code == 422 and r.json() == {"error": "Reporting relationship would create cycle"}
    r = await client.patch(f"/api/agents/{ceo['id']}", json={"reportsTo": ceo["id"]})
    assert r.status_code == 422 and r.json() == {"error": "Agent cannot report to itself"}
    r = await client.patch(f"/api/agents/{eng['id']}", json={"reportsTo": None})
    assert r.status_code == 200 and r.json()["reportsTo"] is None


async def test_me_requires_agent_and_includes_chain_of_command(client, api):
    cid = (await api.company())["id"]
    ceo = await api.agent(cid, "CEO", role="ceo", title="Chief")
    cto = await api.agent(cid, "CTO", role="cto", reportsTo=ceo["id"])
    eng = await api.agent(cid, "Eng", reportsTo=cto["id"])
    r = await client.get("/api/agents/me")
    assert r.status_code == 401 and r.json() == {"error": "Agent authentication required"}
    me = await client.get("/api/agents/me", headers=await api.agent_auth(eng["id"]))
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["id"] == eng["id"] and body["companyId"] == cid
    assert body["chainOfCommand"] == [
        {"id": cto["id"], "name": "CTO", "role": "cto", "title": None},
        {"id": ceo["id"], "name": "CEO", "role": "ceo", "title": "Chief"},
    ]


async def test_agents_read_their_company_and_only_board_mutates(client, api):
    cid = (await api.company("Alpha"))["id"]
    other = (await api.company("Beta"))["id"]
    a = await api.agent(cid, "A")
    b = await api.agent(cid, "B")
    auth = await api.agent_auth(a["id"])
    assert (await client.get(f"/api/companies/{cid}/agents", headers=auth)).status_code == 200
    assert (await client.get(f"/api/agents/{b['id']}", headers=auth)).status_code == 200
    r = await client.get(f"/api/companies/{other}/agents", headers=auth)
    assert r.status_code == 403 and r.json() == {"error": "Agent key cannot access another company"}
    for method, path, body in [
        ("PATCH", f"/api/agents/{b['id']}", {"title": "x"}),
        ("PATCH", f"/api/agents/{a['id']}", {"title": "x"}),
        ("POST", f"/api/agents/{b['id']}/pause", None),
        ("POST", f"/api/agents/{b['id']}/keys", {"name": "x"}),
        ("GET", f"/api/agents/{b['id']}/keys", None),
        ("DELETE", f"/api/agents/{b['id']}", None),
        ("POST", f"/api/companies/{cid}/agents", {"name": "x"}),
    ]:
        r = await client.request(method, path, json=body, headers=auth)
        assert r.status_code == 403, (method, path, r.text)


async def test_delete_agent(client, api, app):
    cid = (await api.company())["id"]
    boss = await api.agent(cid, "Boss")
    a = await api.agent(cid, "A", reportsTo=boss["id"])
    r = await client.delete(f"/api/agents/{boss['id']}")
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert (await client.get(f"/api/agents/{boss['id']}")).status_code == 404
    assert (await client.get(f"/api/agents/{a['id']}")).json()["reportsTo"] is None
    assert (await client.delete(f"/api/agents/{boss['id']}")).status_code == 404
    actions = [x["action"] for x in (await client.get(f"/api/companies/{cid}/activity")).json()]
    assert actions[0] == "agent.deleted"
    async with app.state.sessions() as s:
        assert await s.scalar(sa.select(sa.func.count()).select_from(Agent)) == 1


async def test_permissions_patch(client, api):
    cid = (await api.company())["id"]
    a = await api.agent(cid)
    r = await client.patch(
        f"/api/agents/{a['id']}/permissions", json={"canCreateAgents": False, "canAssignTasks": True}
    )
    assert r.status_code == 200
    assert (
        r.json()["permissions"]["canCreateAgents"] is False
        and r.json()["permissions"]["canAssignTasks"] is True
    )
    r = await client.patch(f"/api/agents/{a['id']}/permissions", json={"canCreateAgents": "x"})
    assert r.status_code == 400


async def test_adapter_env_redacted_and_placeholders_do_not_overwrite(client, api, app):
    cid = (await api.company())["id"]
    s1 = (await client.post(f"/api/companies/{cid}/secrets", json={"name": "s1", "value": "v1"})).json()["id"]
    await client.post(f"/api/secrets/{s1}/rotate", json={"value": "v2"})
    a = await api.agent(
        cid,
        adapterConfig={
            "command": "run",
            "apiKey": "sk-live-1",
            "env": {
                "OPENAI_API_KEY": "sk-123",
                "PLAIN": "x",
                "REF": {"type": "secret_ref", "secretId": s1, "version": 2},
            },
        },
    )
    cfg = a["adapterConfig"]
    assert cfg["command"] == "run" and cfg["apiKey"] == "***REDACTED***"
    assert cfg["env"]["OPENAI_API_KEY"] == {"type": "plain", "value": "***REDACTED***"}
    assert cfg["env"]["PLAIN"] == {"type": "plain", "value": "***REDACTED***"}
    assert cfg["env"]["REF"] == {"type": "secret_ref", "secretId": s1, "version": 2}
    conf = (await client.get(f"/api/agents/{a['id']}/configuration")).json()
    assert conf["adapterConfig"] == cfg
    # sending back what was read keeps the stored secrets; merging keeps untouched keys
    r = await client.patch(
        f"/api/agents/{a['id']}", json={"adapterConfig": {"env": cfg["env"], "cwd": "/tmp"}}
    )
    assert r.status_code == 200
    async with app.state.sessions() as s:
        stored = await s.scalar(sa.select(Agent.adapter_config).where(Agent.id == uuid.UUID(a["id"])))
    assert stored["env"]["OPENAI_API_KEY"] == {"type": "plain", "value": "sk-123"}
    assert stored["command"] == "run" and stored["cwd"] == "/tmp"


async def test_agent_url_key_lookup(client, api):
    cid = (await api.company())["id"]
    ceo = await api.agent(cid, "CEO Bot", role="ceo")
    r = await client.get("/api/agents/ceo-bot", params={"companyId": cid})
    assert r.status_code == 200 and r.json()["id"] == ceo["id"]
    r = await client.post("/api/agents/ceo-bot/pause", params={"companyId": cid})
    assert r.status_code == 200 and r.json()["status"] == "paused"
    r = await client.get("/api/agents/ceo-bot")
    assert r.status_code == 422 and r.json() == {
        "error": "Agent shortname lookup requires companyId query parameter"
    }
    # an agent resolves keys in its own company
    worker = await api.agent(cid, "Worker")
    r = await client.get("/api/agents/ceo-bot", headers=await api.agent_auth(worker["id"]))
    assert r.status_code == 200 and r.json()["id"] == ceo["id"]
    await api.agent(cid, "ceo bot")
    r = await client.get("/api/agents/ceo-bot", params={"companyId": cid})
    assert r.status_code == 409
    r = await client.get("/api/agents/nobody", params={"companyId": cid})
    assert r.status_code == 404 and r.json() == {"error": "Agent not found"}
