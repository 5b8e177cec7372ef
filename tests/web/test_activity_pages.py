"""The activity page: newest first, filters, pagination, links to the entities."""

from __future__ import annotations


async def test_activity_lists_changes_with_links_and_filters(client, company, agent):
    await client.post(f"/api/agents/{agent['id']}/pause")
    page = await client.get("/ACM/activity")
    assert page.status_code == 200
    assert "agent.paused" in page.text and "agent.created" in page.text and "company.created" in page.text
    assert 'href="/ACM/agents/ada"' in page.text
    assert page.text.index("agent.paused") < page.text.index("agent.created")  # newest first
    filtered = await client.get("/ACM/activity?entityType=agent&action=agent.paused")
    assert "agent.paused" in filtered.text and "company.created" not in filtered.text
    none = await client.get("/ACM/activity?action=nothing.happened")
    assert "Nothing matches these filters" in none.text


async def test_activity_is_paginated(client, company):
    for i in range(55):
        await client.post(f"/api/companies/{company['id']}/goals", json={"title": f"Goal {i}"})
    first = await client.get("/ACM/activity")
    assert first.text.count("goal.created") == 50
    assert 'href="/ACM/activity?page=2"' in first.text
    second = await client.get("/ACM/activity?page=2")
    assert second.text.count("goal.created") == 5 and "company.created" in second.text
    assert "page=3" not in second.text


async def test_activity_empty_filter_values_and_bad_agent_id_are_ignored(client, company):
    page = await client.get("/ACM/activity?agentId=not-a-uuid&entityType=")
    assert page.status_code == 200 and "company.created" in page.text
