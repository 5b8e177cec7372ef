from __future__ import annotations

import uuid

from factories import now_iso


async def test_cost_event_is_recorded_with_activity_and_spend(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    r = await api.cost(c["id"], a["id"], 30)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["costCents"] == 30 and body["biller"] == "anthropic" and body["billingType"] == "unknown"
    assert body["costStatus"] == "reported" and body["agentId"] == a["id"]
    assert (
        db.one("SELECT spent_monthly_cents FROM agents WHERE id = %s", a["id"])["spent_monthly_cents"] == 30
    )
    assert (
        db.one("SELECT spent_monthly_cents FROM companies WHERE id = %s", c["id"])["spent_monthly_cents"]
        == 30
    )
    act = db.one("SELECT * FROM activity_log WHERE action = 'cost.reported'")
    assert act["entity_id"] == body["id"] and act["details"] == {"model": "claude-sonnet", "costCents": 30}


async def test_cost_event_validation_and_references(api):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    url = f"/api/companies/{c['id']}/cost-events"
    base = {
        "agentId": a["id"],
        "provider": "anthropic",
        "model": "m",
        "costCents": 1,
        "occurredAt": now_iso(),
    }
    r = await api.client.post(url, json={k: v for k, v in base.items() if k != "occurredAt"})
    assert r.status_code == 400 and r.json()["details"][0]["path"] == ["occurredAt"]
    for bad in (
        {"costCents": -1},
        {"costCents": 1.5},
        {"costCents": "5"},
        {"inputTokens": -3},
        {"occurredAt": "yesterday"},
        {"provider": ""},
        {"billingType": "free"},
        {"agentId": "nope"},
        {"costCents": 2**40},
    ):
        r = await api.client.post(url, json={**base, **bad})
        assert r.status_code == 400 and r.json()["error"] == "Validation error", (bad, r.text)
    other = await api.company("Other Co")
    stranger = await api.agent(other["id"], "Ann")
    r = await api.client.post(url, json={**base, "agentId": stranger["id"]})
    assert r.status_code == 422 and r.json() == {"error": "Agent does not belong to company"}
    r = await api.client.post(url, json={**base, "agentId": str(uuid.uuid4())})
    assert r.status_code == 404 and r.json() == {"error": "Agent not found"}
    r = await api.client.post(url, json={**base, "issueId": str(uuid.uuid4())})
    assert r.status_code == 404 and r.json() == {"error": "Issue not found"}
    r = await api.client.post(f"/api/companies/{uuid.uuid4()}/cost-events", json=base)
    assert r.status_code == 404 and r.json() == {"error": "Company not found"}


async def test_agents_report_only_their_own_costs(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    b = await api.agent(c["id"], name="Bob")
    headers = await api.agent_auth(a["id"])
    r = await api.cost(c["id"], b["id"], 5, headers=headers)
    assert r.status_code == 403 and r.json() == {"error": "Agent can only report its own costs"}
    r = await api.cost(c["id"], a["id"], 5, headers=headers)
    assert r.status_code == 201
    act = db.one("SELECT actor_type, actor_id, agent_id FROM activity_log WHERE action = 'cost.reported'")
    assert act["actor_type"] == "agent" and act["actor_id"] == a["id"] and str(act["agent_id"]) == a["id"]


async def test_event_outside_the_current_month_does_not_count_towards_monthly_spend(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann", budgetMonthlyCents=10)
    assert (await api.cost(c["id"], a["id"], 50, occurredAt="2020-01-15T12:00:00Z")).status_code == 201
    row = db.one("SELECT spent_monthly_cents, status FROM agents WHERE id = %s", a["id"])
    assert row == {"spent_monthly_cents": 0, "status": "idle"}


async def test_cost_reports(api):
    c = await api.company("Paperclip Labs", budgetMonthlyCents=1000)
    cid = c["id"]
    a = await api.agent(cid, "Ann")
    b = await api.agent(cid, name="Bob")
    project = (await api.client.post(f"/api/companies/{cid}/projects", json={"name": "Proj"})).json()
    await api.cost(cid, a["id"], 100)
    await api.cost(
        cid,
        a["id"],
        5,
        provider="openai",
        model="gpt",
        biller="openrouter",
        billingType="metered_api",
        projectId=project["id"],
    )
    await api.cost(cid, b["id"], 50, billingType="subscription_included")
    await api.cost(cid, b["id"], 999, occurredAt="2020-01-01T00:00:00Z")

    summary = (await api.client.get(f"/api/companies/{cid}/costs/summary")).json()
    assert summary == {"companyId": cid, "spendCents": 155, "budgetCents": 1000, "utilizationPercent": 15.5}
    everything = (await api.client.get(f"/api/companies/{cid}/costs/summary?from=2019-01-01")).json()
    assert everything["spendCents"] == 1154
    window = (
        await api.client.get(f"/api/companies/{cid}/costs/summary?from=2020-01-01&to=2020-01-01T00:00:00Z")
    ).json()
    assert window["spendCents"] == 999
    r = await api.client.get(f"/api/companies/{cid}/costs/summary?from=garbage")
    assert r.status_code == 400 and r.json() == {"error": "invalid 'from' date"}

    by_agent = (await api.client.get(f"/api/companies/{cid}/costs/by-agent")).json()
    assert [(x["agentName"], x["costCents"]) for x in by_agent] == [("Ann", 105), ("Bob", 50)]
    assert set(by_agent[0]) == {
        "agentId",
        "agentName",
        "agentStatus",
        "costCents",
        "inputTokens",
        "cachedInputTokens",
        "outputTokens",
        "apiRunCount",
        "subscriptionRunCount",
        "subscriptionCachedInputTokens",
        "subscriptionInputTokens",
        "subscriptionOutputTokens",
    }
    assert by_agent[1]["subscriptionInputTokens"] == 10 and by_agent[0]["subscriptionInputTokens"] == 0
    by_provider = (await api.client.get(f"/api/companies/{cid}/costs/by-provider")).json()
    assert [(x["provider"], x["biller"], x["billingType"], x["costCents"]) for x in by_provider] == [
        ("anthropic", "anthropic", "unknown", 100),
        ("anthropic", "anthropic", "subscription_included", 50),
        ("openai", "openrouter", "metered_api", 5),
    ]
    by_project = (await api.client.get(f"/api/companies/{cid}/costs/by-project")).json()
    assert by_project == [
        {
            "projectId": project["id"],
            "projectName": "Proj",
            "costCents": 5,
            "inputTokens": 10,
            "cachedInputTokens": 0,
            "outputTokens": 5,
        }
    ]
    by_model = (await api.client.get(f"/api/companies/{cid}/costs/by-agent-model")).json()
    assert {(x["agentName"], x["model"], x["costCents"]) for x in by_model} == {
        ("Ann", "claude-sonnet", 100),
        ("Ann", "gpt", 5),
        ("Bob", "claude-sonnet", 50),
    }
    assert (await api.client.get(f"/api/companies/{uuid.uuid4()}/costs/by-agent")).status_code == 404


async def test_issue_cost_summary_includes_descendants(api):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    parent = (await api.client.post(f"/api/companies/{c['id']}/issues", json={"title": "parent"})).json()
    child = (
        await api.client.post(
            f"/api/companies/{c['id']}/issues", json={"title": "child", "parentId": parent["id"]}
        )
    ).json()
    await api.cost(c["id"], a["id"], 3, issueId=parent["id"])
    await api.cost(c["id"], a["id"], 4, issueId=child["id"])
    r = await api.client.get(f"/api/issues/{parent['id']}/cost-summary")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "issueId": parent["id"],
        "issueCount": 2,
        "includeDescendants": True,
        "costCents": 7,
        "inputTokens": 20,
        "cachedInputTokens": 0,
        "outputTokens": 10,
        "runCount": 0,
        "runtimeMs": 0,
    }
    assert (await api.client.get(f"/api/issues/{child['identifier']}/cost-summary")).json()["costCents"] == 4
    r = await api.client.get(f"/api/issues/{uuid.uuid4()}/cost-summary")
    assert r.status_code == 404 and r.json() == {"error": "Issue not found"}
