"""Budget enforcement (reference §8, conformance #28): soft warning, hard stop, exactly once under a burst."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from factories import now_iso


def queue_run(db, company_id: str, agent_id: str) -> str:
    """A queued wake-up and run, as the heartbeat queue holds them."""
    request_id, run_id = str(uuid.uuid4()), str(uuid.uuid4())
    db.sql(
        "INSERT INTO agent_wakeup_requests (id, company_id, agent_id, source, reason, status, run_id) "
        "VALUES (%s, %s, %s, 'on_demand', 'test', 'queued', %s)",
        request_id,
        company_id,
        agent_id,
        run_id,
    )
    db.sql(
        "INSERT INTO heartbeat_runs (id, company_id, agent_id, status, wakeup_request_id) "
        "VALUES (%s, %s, %s, 'queued', %s)",
        run_id,
        company_id,
        agent_id,
        request_id,
    )
    return run_id


def actions(db, company_id: str) -> list[str]:
    return [
        r["action"]
        for r in db.sql(
            "SELECT action FROM activity_log WHERE company_id = %s ORDER BY created_at", company_id
        )
    ]


async def test_soft_threshold_at_80_percent_warns_without_pausing(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann", budgetMonthlyCents=100)
    assert (await api.cost(c["id"], a["id"], 79)).status_code == 201
    assert db.sql("SELECT * FROM budget_incidents") == []
    assert (await api.cost(c["id"], a["id"], 1)).status_code == 201
    incident = db.one("SELECT * FROM budget_incidents")
    assert incident["threshold_type"] == "soft" and incident["status"] == "open"
    assert incident["amount_limit"] == 100 and incident["amount_observed"] == 80
    agent = (await api.client.get(f"/api/agents/{a['id']}")).json()
    assert agent["status"] == "idle" and agent["pauseReason"] is None and agent["spentMonthlyCents"] == 80
    assert actions(db, c["id"]).count("budget.soft_threshold_crossed") == 1
    assert (await api.cost(c["id"], a["id"], 5)).status_code == 201  # still one soft incident per window
    assert len(db.sql("SELECT * FROM budget_incidents")) == 1
    overview = (await api.client.get(f"/api/companies/{c['id']}/budgets/overview")).json()
    policy = next(p for p in overview["policies"] if p["scopeType"] == "agent")
    assert (
        policy["status"] == "warning" and policy["observedAmount"] == 85 and policy["remainingAmount"] == 15
    )
    assert [i["thresholdType"] for i in overview["activeIncidents"]] == ["soft"]


async def test_hard_stop_pauses_agent_cancels_queued_run_and_asks_board(api, db):
    """Conformance #28."""
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann", budgetMonthlyCents=100)
    run_id = queue_run(db, c["id"], a["id"])
    assert (await api.cost(c["id"], a["id"], 80)).status_code == 201
    assert db.one("SELECT status FROM heartbeat_runs WHERE id = %s", run_id)["status"] == "queued"
    r = await api.cost(c["id"], a["id"], 20)
    assert r.status_code == 201, r.text
    agent = (await api.client.get(f"/api/agents/{a['id']}")).json()
    assert (
        agent["status"] == "paused" and agent["pauseReason"] == "budget" and agent["spentMonthlyCents"] == 100
    )
    run = db.one("SELECT status, error_code FROM heartbeat_runs WHERE id = %s", run_id)
    assert run["status"] == "cancelled"
    assert (
        db.one("SELECT status FROM agent_wakeup_requests WHERE run_id = %s", run_id)["status"] == "cancelled"
    )
    approvals = (await api.client.get(f"/api/companies/{c['id']}/approvals?status=pending")).json()
    assert [ap["type"] for ap in approvals] == ["budget_override_required"]
    assert approvals[0]["payload"]["scopeId"] == a["id"] and approvals[0]["payload"]["budgetAmount"] == 100
    incidents = {i["threshold_type"]: i for i in db.sql("SELECT * FROM budget_incidents")}
    assert (
        incidents["hard"]["status"] == "open" and str(incidents["hard"]["approval_id"]) == approvals[0]["id"]
    )
    assert incidents["soft"]["status"] == "resolved"
    acts = actions(db, c["id"])
    assert acts.count("budget.hard_threshold_crossed") == 1 and acts.count("agent.paused") == 1
    paused = db.one("SELECT actor_type, actor_id, details FROM activity_log WHERE action = 'agent.paused'")
    assert paused["actor_type"] == "system" and paused["details"]["pauseReason"] == "budget"
    # Later events are still recorded (spend stays exact) but nothing opens twice.
    assert (await api.cost(c["id"], a["id"], 7)).status_code == 201
    assert (
        db.one("SELECT spent_monthly_cents FROM agents WHERE id = %s", a["id"])["spent_monthly_cents"] == 107
    )
    assert len(db.sql("SELECT * FROM budget_incidents WHERE threshold_type = 'hard'")) == 1
    assert actions(db, c["id"]).count("agent.paused") == 1


async def test_burst_of_parallel_cost_events_pauses_exactly_once_with_exact_spend(api, db, live_server):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann", budgetMonthlyCents=100)
    run_id = queue_run(db, c["id"], a["id"])
    body = {
        "agentId": a["id"],
        "provider": "anthropic",
        "model": "claude",
        "inputTokens": 1,
        "outputTokens": 1,
        "costCents": 3,
        "occurredAt": now_iso(),
    }
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=live_server, limits=limits, timeout=60) as http:
        responses = await asyncio.gather(
            *[http.post(f"/api/companies/{c['id']}/cost-events", json=body) for _ in range(50)]
        )
    assert [r.status_code for r in responses] == [201] * 50
    spent = db.one("SELECT spent_monthly_cents, status, pause_reason FROM agents WHERE id = %s", a["id"])
    total = db.one("SELECT sum(cost_cents) AS s, count(*) AS n FROM cost_events")
    assert total["n"] == 50 and total["s"] == 150
    assert (
        spent["spent_monthly_cents"] == 150
        and spent["status"] == "paused"
        and spent["pause_reason"] == "budget"
    )
    assert (
        db.one("SELECT spent_monthly_cents FROM companies WHERE id = %s", c["id"])["spent_monthly_cents"]
        == 150
    )
    hard = db.sql("SELECT * FROM budget_incidents WHERE threshold_type = 'hard'")
    assert len(hard) == 1 and hard[0]["amount_observed"] in (100, 102)  # the event that crossed 100
    assert len(db.sql("SELECT * FROM budget_incidents WHERE threshold_type = 'soft'")) == 1
    assert len(db.sql("SELECT * FROM approvals WHERE type = 'budget_override_required'")) == 1
    acts = actions(db, c["id"])
    assert acts.count("agent.paused") == 1 and acts.count("budget.hard_threshold_crossed") == 1
    assert acts.count("cost.reported") == 50
    assert db.one("SELECT status FROM heartbeat_runs WHERE id = %s", run_id)["status"] == "cancelled"


async def test_company_hard_stop_pauses_company_and_cancels_its_agents_work(api, db):
    c = await api.company("Paperclip Labs", budgetMonthlyCents=50)
    a = await api.agent(c["id"], "Ann")
    b = await api.agent(c["id"], name="Bob")
    runs = [queue_run(db, c["id"], a["id"]), queue_run(db, c["id"], b["id"])]
    assert (await api.cost(c["id"], a["id"], 60)).status_code == 201
    company = (await api.client.get(f"/api/companies/{c['id']}")).json()
    assert company["status"] == "paused" and company["pauseReason"] == "budget"
    assert company["spentMonthlyCents"] == 60
    assert {r["status"] for r in db.sql("SELECT status FROM heartbeat_runs WHERE id = ANY(%s)", runs)} == {
        "cancelled"
    }
    assert db.one("SELECT status FROM agents WHERE id = %s", a["id"])["status"] == "idle"
    # A report after the stop is still recorded: spend stays exact.
    assert (await api.cost(c["id"], b["id"], 5)).status_code == 201
    assert (
        db.one("SELECT spent_monthly_cents FROM companies WHERE id = %s", c["id"])["spent_monthly_cents"]
        == 65
    )


async def test_manually_paused_agent_is_never_resumed_by_a_budget_change(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann", budgetMonthlyCents=100)
    assert (await api.client.post(f"/api/agents/{a['id']}/pause")).status_code == 200
    assert (await api.cost(c["id"], a["id"], 150)).status_code == 201
    row = db.one("SELECT status, pause_reason FROM agents WHERE id = %s", a["id"])
    assert row == {"status": "paused", "pause_reason": "manual"}
    r = await api.client.patch(f"/api/agents/{a['id']}/budgets", json={"budgetMonthlyCents": 1000})
    assert r.status_code == 200 and r.json()["budgetMonthlyCents"] == 1000
    assert db.one("SELECT status, pause_reason FROM agents WHERE id = %s", a["id"]) == row


async def test_raising_the_budget_resumes_a_budget_pause_and_a_new_crossing_stops_again(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann", budgetMonthlyCents=100)
    await api.cost(c["id"], a["id"], 100)
    assert db.one("SELECT status FROM agents WHERE id = %s", a["id"])["status"] == "paused"
    r = await api.client.patch(f"/api/agents/{a['id']}/budgets", json={"budgetMonthlyCents": 200})
    assert r.status_code == 200 and r.json()["status"] == "idle" and r.json()["pauseReason"] is None
    hard = db.one("SELECT * FROM budget_incidents WHERE threshold_type = 'hard'")
    assert hard["status"] == "resolved"
    assert db.one("SELECT status FROM approvals WHERE id = %s", hard["approval_id"])["status"] == "approved"
    await api.cost(c["id"], a["id"], 100)
    assert db.one("SELECT status, pause_reason FROM agents WHERE id = %s", a["id"]) == {
        "status": "paused",
        "pause_reason": "budget",
    }
    hard = db.one("SELECT * FROM budget_incidents WHERE threshold_type = 'hard'")
    assert hard["status"] == "open" and hard["amount_limit"] == 200 and hard["amount_observed"] == 200
    assert actions(db, c["id"]).count("agent.paused") == 2


async def test_resolve_incident_raise_and_resume_or_keep_paused(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann", budgetMonthlyCents=100)
    b = await api.agent(c["id"], name="Bob", budgetMonthlyCents=100)
    await api.cost(c["id"], a["id"], 120)
    await api.cost(c["id"], b["id"], 120)
    overview = (await api.client.get(f"/api/companies/{c['id']}/budgets/overview")).json()
    assert overview["pausedAgentCount"] == 2 and overview["pendingApprovalCount"] == 2
    by_scope = {i["scopeId"]: i for i in overview["activeIncidents"]}
    ia, ib = by_scope[a["id"]], by_scope[b["id"]]
    assert ia["thresholdType"] == "hard" and ia["approvalStatus"] == "pending" and ia["scopeName"] == "Ann"
    url = f"/api/companies/{c['id']}/budget-incidents"

    r = await api.client.post(
        f"{url}/{ia['id']}/resolve", json={"action": "raise_budget_and_resume", "amount": 120}
    )
    assert r.status_code == 422 and r.json() == {"error": "New budget must exceed current observed spend"}
    r = await api.client.post(f"{url}/{ia['id']}/resolve", json={"action": "raise_budget_and_resume"})
    assert r.status_code == 400 and r.json()["error"] == "Validation error"
    assert r.json()["details"][0]["path"] == ["amount"]
    r = await api.client.post(
        f"{url}/{ia['id']}/resolve",
        json={"action": "raise_budget_and_resume", "amount": 500, "decisionNote": "ok"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "resolved" and r.json()["approvalStatus"] == "approved"
    agent = (await api.client.get(f"/api/agents/{a['id']}")).json()
    assert agent["status"] == "idle" and agent["budgetMonthlyCents"] == 500

    r = await api.client.post(f"{url}/{ib['id']}/resolve", json={"action": "keep_paused"})
    assert (
        r.status_code == 200
        and r.json()["status"] == "dismissed"
        and r.json()["approvalStatus"] == "rejected"
    )
    assert db.one("SELECT status FROM agents WHERE id = %s", b["id"])["status"] == "paused"
    r = await api.client.post(f"{url}/{ib['id']}/resolve", json={"action": "keep_paused"})
    assert r.status_code == 422
    # keep_paused is a decision: further reports do not open a new incident at the same limit.
    await api.cost(c["id"], b["id"], 1)
    assert (
        len(db.sql("SELECT * FROM budget_incidents WHERE scope_id = %s AND threshold_type = 'hard'", b["id"]))
        == 1
    )
    r = await api.client.post(f"{url}/{uuid.uuid4()}/resolve", json={"action": "keep_paused"})
    assert r.status_code == 404 and r.json() == {"error": "Budget incident not found"}
    r = await api.client.post(f"{url}/not-a-uuid/resolve", json={"action": "keep_paused"})
    assert r.status_code == 404


async def test_policy_upsert_for_a_project_with_lifetime_window(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    project = (await api.client.post(f"/api/companies/{c['id']}/projects", json={"name": "Proj"})).json()
    await api.cost(c["id"], a["id"], 4, projectId=project["id"])
    r = await api.client.post(
        f"/api/companies/{c['id']}/budgets/policies",
        json={"scopeType": "project", "scopeId": project["id"], "amount": 2, "windowKind": "lifetime"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "hard_stop" and body["paused"] is True and body["pauseReason"] == "budget"
    assert body["observedAmount"] == 4 and body["windowStart"] == "1970-01-01T00:00:00.000Z"
    row = db.one("SELECT pause_reason, paused_at FROM projects WHERE id = %s", project["id"])
    assert row["pause_reason"] == "budget" and row["paused_at"] is not None
    r = await api.client.post(
        f"/api/companies/{c['id']}/budgets/policies",
        json={"scopeType": "agent", "scopeId": str(uuid.uuid4()), "amount": 2},
    )
    assert r.status_code == 404 and r.json() == {"error": "Agent not found"}
    r = await api.client.post(
        f"/api/companies/{c['id']}/budgets/policies",
        json={"scopeType": "agent", "scopeId": a["id"], "amount": 300, "warnPercent": 50},
    )
    assert r.status_code == 200 and r.json()["warnPercent"] == 50 and r.json()["amount"] == 300
    assert (
        db.one("SELECT budget_monthly_cents FROM agents WHERE id = %s", a["id"])["budget_monthly_cents"]
        == 300
    )


async def test_company_budget_patch_and_agent_may_not_set_budgets(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann")
    r = await api.client.patch(f"/api/companies/{c['id']}/budgets", json={"budgetMonthlyCents": 2000})
    assert r.status_code == 200 and r.json()["budgetMonthlyCents"] == 2000
    assert db.one("SELECT amount FROM budget_policies WHERE scope_type = 'company'")["amount"] == 2000
    headers = await api.agent_auth(a["id"])
    r = await api.client.patch(
        f"/api/companies/{c['id']}/budgets", json={"budgetMonthlyCents": 1}, headers=headers
    )
    assert r.status_code == 403
    r = await api.client.patch(f"/api/agents/{a['id']}/budgets", json={"budgetMonthlyCents": -1})
    assert r.status_code == 400


async def test_company_stop_under_a_mixed_burst_is_exact_and_deadlock_free(api, db, live_server):
    """Two agents report in parallel while the board edits budgets: the company stops exactly once."""
    c = await api.company("Paperclip Labs", budgetMonthlyCents=100)
    a = await api.agent(c["id"], "Ann")
    b = await api.agent(c["id"], name="Bob")
    cid = c["id"]

    def event(agent_id: str) -> dict:
        return {
            "agentId": agent_id,
            "provider": "p",
            "model": "m",
            "costCents": 5,
            "occurredAt": now_iso(),
        }

    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        jobs = [
            http.post(f"/api/companies/{cid}/cost-events", json=event(a["id"] if i % 2 else b["id"]))
            for i in range(40)
        ]
        jobs += [
            http.patch(
                f"/api/agents/{a['id'] if i % 2 else b['id']}/budgets", json={"budgetMonthlyCents": 1000}
            )
            for i in range(6)
        ]
        jobs += [http.get(f"/api/companies/{cid}/budgets/overview") for _ in range(4)]
        responses = await asyncio.gather(*jobs)
    assert [r.status_code for r in responses[:40]] == [201] * 40
    assert all(r.status_code == 200 for r in responses[40:]), [
        r.text for r in responses[40:] if r.status_code != 200
    ]
    company = db.one("SELECT status, pause_reason, spent_monthly_cents FROM companies WHERE id = %s", cid)
    assert company == {"status": "paused", "pause_reason": "budget", "spent_monthly_cents": 200}
    spent = {
        r["name"]: r["spent_monthly_cents"] for r in db.sql("SELECT name, spent_monthly_cents FROM agents")
    }
    assert spent == {"Ann": 100, "Bob": 100}
    assert len(db.sql("SELECT * FROM budget_incidents WHERE threshold_type = 'hard'")) == 1
    assert actions(db, cid).count("company.paused") == 1


async def test_lowering_the_budget_back_stops_again(api, db):
    c = await api.company("Paperclip Labs")
    a = await api.agent(c["id"], "Ann", budgetMonthlyCents=100)
    await api.cost(c["id"], a["id"], 100)
    url = f"/api/agents/{a['id']}/budgets"
    assert (await api.client.patch(url, json={"budgetMonthlyCents": 200})).json()["status"] == "idle"
    r = await api.client.patch(url, json={"budgetMonthlyCents": 100})
    assert r.json()["status"] == "paused" and r.json()["pauseReason"] == "budget"
    hard = db.one("SELECT * FROM budget_incidents WHERE threshold_type = 'hard'")
    assert hard["status"] == "open" and hard["approval_id"] is not None
    assert len(db.sql("SELECT * FROM approvals WHERE type = 'budget_override_required'")) == 2
