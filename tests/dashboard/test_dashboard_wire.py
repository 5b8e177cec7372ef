"""The dashboard's recent activity (rendered by PostgreSQL) is the activity list's wire form."""

from __future__ import annotations


async def test_recent_activity_is_the_newest_ten_entries_of_the_activity_list(client):
    company = (await client.post("/api/companies", json={"name": "Wire Co"})).json()
    cid = company["id"]
    token = "pcp_" + "0123456789abcdef" * 2
    for n in range(12):
        r = await client.post(f"/api/companies/{cid}/issues", json={"title": f"Issue {n} {token}"})
        assert r.status_code == 201, r.text
    r = await client.get(f"/api/companies/{cid}/dashboard")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert list(body) == [
        "companyId",
        "agents",
        "tasks",
        "costs",
        "pendingApprovals",
        "budgets",
        "runActivity",
        "recentActivity",
    ]
    listed = (await client.get(f"/api/companies/{cid}/activity", params={"limit": 10})).json()
    assert body["recentActivity"] == listed
    assert body["recentActivity"][0]["details"]["title"] == "Issue 11 ***REDACTED***"
    assert body["tasks"]["open"] == 12 and len(body["runActivity"]) == 14


async def test_dashboard_of_an_unknown_company_is_404(client):
    r = await client.get("/api/companies/00000000-0000-4000-8000-000000000000/dashboard")
    assert r.status_code == 404 and r.json() == {"error": "Company not found"}
