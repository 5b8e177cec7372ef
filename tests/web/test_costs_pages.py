"""The costs page: spend breakdowns, the per-day chart, budget policies and incident resolution."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.web.conftest import csrf_of


async def _cost(client, company, agent, cents: int, **extra):
    body = {
        "agentId": agent["id"],
        "provider": "anthropic",
        "model": "claude-x",
        "costCents": cents,
        "inputTokens": 1000,
        "outputTokens": 200,
        "occurredAt": datetime.now(UTC).isoformat(),
        **extra,
    }
    response = await client.post(f"/api/companies/{company['id']}/cost-events", json=body)
    assert response.status_code == 201, response.text


async def test_costs_page_breaks_spend_down(client, company, agent):
    project = (await client.post(f"/api/companies/{company['id']}/projects", json={"name": "Rocket"})).json()
    await _cost(client, company, agent, 1234, projectId=project["id"])
    page = await client.get("/ACM/costs")
    assert page.status_code == 200
    assert page.text.count("$12.34") >= 3  # summary, by agent, by project, by provider
    assert "claude-x" in page.text and "Rocket" in page.text and 'href="/ACM/agents/ada"' in page.text
    assert '<svg class="chart bar-chart"' in page.text and "Spend per day" in page.text


async def test_costs_page_empty_and_bad_range(client, company):
    page = await client.get("/ACM/costs")
    assert page.status_code == 200 and "No spend in this range" in page.text
    assert (await client.get("/ACM/costs?from=nope")).status_code == 400
    old = await client.get("/ACM/costs?from=2020-01-01&to=2020-01-31")
    assert old.status_code == 200 and "2020-01-01" in old.text


async def test_budget_policy_form_and_hard_stop_incident_resolution(client, company, agent):
    token = await csrf_of(client, "/ACM/costs")
    response = await client.post(
        "/ACM/costs/policies",
        data={
            "_csrf": token,
            "scope": f"agent:{agent['id']}",
            "window": "calendar_month_utc",
            "amount": "10",
            "warnPercent": "80",
            "hardStop": "on",
        },
    )
    assert response.status_code == 303, response.text
    assert (await client.get(f"/api/agents/{agent['id']}")).json()["budgetMonthlyCents"] == 1000
    await _cost(client, company, agent, 1500)
    assert (await client.get(f"/api/agents/{agent['id']}")).json()["status"] == "paused"
    page = await client.get("/ACM/costs")
    overview = (await client.get(f"/api/companies/{company['id']}/budgets/overview")).json()
    incident = next(i for i in overview["activeIncidents"] if i["thresholdType"] == "hard")
    assert f"/ACM/costs/incidents/{incident['id']}/resolve" in page.text
    too_low = await client.post(
        f"/ACM/costs/incidents/{incident['id']}/resolve",
        headers={"X-Fragment": "1"},
        data={"_csrf": token, "action": "raise_budget_and_resume", "amount": "5"},
    )
    assert too_low.status_code == 422
    ok = await client.post(
        f"/ACM/costs/incidents/{incident['id']}/resolve",
        data={"_csrf": token, "action": "raise_budget_and_resume", "amount": "50"},
    )
    assert ok.status_code == 303
    assert (await client.get(f"/api/agents/{agent['id']}")).json()["status"] == "idle"
    actions = [e["action"] for e in (await client.get(f"/api/companies/{company['id']}/activity")).json()]
    assert "budget.incident_resolved" in actions and "budget.policy_upserted" in actions


async def test_policy_form_refuses_without_csrf(client, company):
    await csrf_of(client, "/ACM/costs")
    response = await client.post("/ACM/costs/policies", data={"scope": "company", "amount": "10"})
    assert response.status_code == 403


def test_daily_buckets_fill_empty_days():
    from paperclip.web.pages.costs import date_range

    start, end = date_range({"from": "2026-03-10", "to": "2026-03-01"}, datetime(2026, 3, 15, tzinfo=UTC))
    assert (start.isoformat(), end.isoformat()) == ("2026-03-01", "2026-03-10")
    start, end = date_range({}, datetime(2026, 3, 15, tzinfo=UTC))
    assert (start.isoformat(), end.isoformat()) == ("2026-03-01", "2026-03-15")


async def test_one_scan_report_equals_the_report_services(app, client, company, agent):
    """The page aggregates in one statement (GROUPING SETS); it must say what paperclip.costs.reports says."""
    import uuid
    from datetime import timedelta

    from paperclip.costs import reports
    from paperclip.web.context import Page
    from paperclip.web.pages.costs import report

    cid = company["id"]
    other = (
        await client.post(
            f"/api/companies/{cid}/agents",
            json={"name": "Bob", "adapterType": "process", "adapterConfig": {"command": "true"}},
        )
    ).json()
    project = (await client.post(f"/api/companies/{cid}/projects", json={"name": "Rocket"})).json()
    now = datetime.now(UTC)
    today = now.date()
    first = today.replace(day=1)
    for n, (who, cents, billing, model, proj) in enumerate(
        [
            (agent, 100, "metered_api", "m1", project["id"]),
            (agent, 250, "subscription_included", "m2", None),
            (other, 7, "metered_api", "m1", project["id"]),
            (other, 40, "subscription_included", "m1", None),
        ]
    ):
        when = datetime.combine(first, datetime.min.time(), tzinfo=UTC) + timedelta(hours=n)
        await _cost(
            client,
            company,
            who,
            cents,
            billingType=billing,
            model=model,
            occurredAt=when.isoformat(),
            cachedInputTokens=n * 10,
            **({"projectId": proj} if proj else {}),
        )
    lo = datetime.combine(first, datetime.min.time(), tzinfo=UTC).isoformat()
    hi = datetime.combine(today, datetime.max.time(), tzinfo=UTC).isoformat()
    async with app.state.sessions() as session:
        company_row = await session.get(
            __import__("paperclip.db.models", fromlist=["Company"]).Company, uuid.UUID(cid)
        )
        page = Page(request=None, session=session, actor=None, now=now, company=company_row)  # type: ignore[arg-type]
        figures = await report(page, first, today)
        expected = {
            name: await fn(session, uuid.UUID(cid), lo, hi, now)
            for name, fn in [
                ("by_agent", reports.by_agent),
                ("by_project", reports.by_project),
                ("by_provider", reports.by_provider),
            ]
        }
        summary = await reports.summary(session, uuid.UUID(cid), lo, hi, now)
    assert figures["total"] == summary["spendCents"] == 397
    for name in expected:
        assert figures[name] == expected[name], name
    assert dict(figures["daily"])[first.strftime("%m-%d")] == 397
    assert len(figures["daily"]) == (today - first).days + 1
