"""Dashboard (conformance #30): the key figures match the database."""

from __future__ import annotations

import uuid


async def test_dashboard_counts_match_the_database(api, db):
    c = await api.company("Paperclip Labs", budgetMonthlyCents=1000)
    cid = c["id"]
    a = await api.agent(cid, "Ann", budgetMonthlyCents=100)
    b = await api.agent(cid, name="Bob")
    e = await api.agent(cid, name="Eve")
    await api.agent(cid, name="Gone")
    db.sql("UPDATE agents SET status = 'error' WHERE id = %s", e["id"])
    db.sql("UPDATE agents SET status = 'terminated' WHERE name = 'Gone'")
    for status in ("backlog", "todo", "in_review", "blocked", "done", "cancelled"):
        r = await api.client.post(
            f"/api/companies/{cid}/issues", json={"title": f"t {status}", "status": status}
        )
        assert r.status_code == 201, r.text
    r = await api.client.post(
        f"/api/companies/{cid}/issues",
        json={"title": "wip", "status": "in_progress", "assigneeAgentId": b["id"]},
    )
    assert r.status_code == 201, r.text
    await api.cost(cid, a["id"], 120)  # hard stop: a paused for budget, one budget approval
    await api.client.post(
        f"/api/companies/{cid}/approvals", json={"type": "request_board_approval", "payload": {}}
    )
    ap = (
        await api.client.post(
            f"/api/companies/{cid}/approvals", json={"type": "request_board_approval", "payload": {}}
        )
    ).json()
    await api.client.post(f"/api/approvals/{ap['id']}/request-revision", json={})
    run = str(uuid.uuid4())
    db.sql(
        "INSERT INTO heartbeat_runs (id, company_id, agent_id, status, error_code) "
        "VALUES (%s, %s, %s, 'failed', 'adapter_failed')",
        run,
        cid,
        b["id"],
    )

    db.sql("UPDATE agents SET status = 'running' WHERE id = %s", b["id"])
    r = await api.client.get(f"/api/companies/{cid}/dashboard")
    assert r.status_code == 200, r.text
    d = r.json()

    def count(sql: str) -> int:
        return db.one(sql, cid)["n"]

    assert d["companyId"] == cid
    assert (
        d["agents"]
        == {
            "active": count(
                "SELECT count(*) AS n FROM agents WHERE company_id = %s AND status IN ('active', 'idle')"
            ),
            "running": count("SELECT count(*) AS n FROM agents WHERE company_id = %s AND status = 'running'"),
            "paused": count("SELECT count(*) AS n FROM agents WHERE company_id = %s AND status = 'paused'"),
            "error": count("SELECT count(*) AS n FROM agents WHERE company_id = %s AND status = 'error'"),
        }
        == {"active": 0, "running": 1, "paused": 1, "error": 1}
    )
    assert (
        d["tasks"]
        == {
            "open": count(
                "SELECT count(*) AS n FROM issues WHERE company_id = %s AND status NOT IN ('done', 'cancelled')"
            ),
            "inProgress": count(
                "SELECT count(*) AS n FROM issues WHERE company_id = %s AND status = 'in_progress'"
            ),
            "blocked": count("SELECT count(*) AS n FROM issues WHERE company_id = %s AND status = 'blocked'"),
            "done": count("SELECT count(*) AS n FROM issues WHERE company_id = %s AND status = 'done'"),
        }
        == {"open": 5, "inProgress": 1, "blocked": 1, "done": 1}
    )
    spend = db.one("SELECT spent_monthly_cents FROM companies WHERE id = %s", cid)["spent_monthly_cents"]
    assert d["costs"] == {"monthSpendCents": spend, "monthBudgetCents": 1000, "monthUtilizationPercent": 12}
    assert isinstance(d["costs"]["monthUtilizationPercent"], int)
    assert spend == 120
    assert (
        d["pendingApprovals"]
        == count("SELECT count(*) AS n FROM approvals WHERE company_id = %s AND status = 'pending'")
        == 2
    )
    assert d["budgets"] == {
        "activeIncidents": 1,
        "pendingApprovals": 1,
        "pausedAgents": 1,
        "pausedProjects": 0,
    }
    assert len(d["runActivity"]) == 14
    today = d["runActivity"][-1]
    assert today["failed"] == 1 and today["failedByErrorCode"] == {"adapter_failed": 1}
    assert today["total"] == count("SELECT count(*) AS n FROM heartbeat_runs WHERE company_id = %s")
    recent = d["recentActivity"]
    assert recent and recent[0]["action"] == "approval.revision_requested"
    assert recent[0]["createdAt"].endswith("Z") and recent[0]["companyId"] == cid


async def test_dashboard_access_and_unknown_company(api):
    c = await api.company("Paperclip Labs")
    other = await api.company("Other Co")
    a = await api.agent(other["id"], "Ann")
    r = await api.client.get(f"/api/companies/{c['id']}/dashboard", headers=await api.agent_auth(a["id"]))
    assert r.status_code == 403
    r = await api.client.get(f"/api/companies/{uuid.uuid4()}/dashboard")
    assert r.status_code == 404 and r.json() == {"error": "Company not found"}
    assert (await api.client.get("/api/companies/nope/dashboard")).status_code == 404
    empty = (await api.client.get(f"/api/companies/{c['id']}/dashboard")).json()
    assert empty["costs"] == {"monthSpendCents": 0, "monthBudgetCents": 0, "monthUtilizationPercent": 0}
