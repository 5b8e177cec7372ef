"""A viewer (read-only member) sees no mutating controls on UI-B's pages and the page routes refuse
their mutations. Until memberships carry roles, the viewer check is forced through formkit.read_only."""

from __future__ import annotations

import pytest

from tests.web.conftest import csrf_of


@pytest.fixture
def as_viewer(monkeypatch):
    from paperclip.web.pages import formkit

    monkeypatch.setattr(formkit, "read_only", lambda page: page.company is not None)


async def test_viewer_sees_no_mutating_controls(client, company, agent, as_viewer):
    cid = company["id"]
    project = (await client.post(f"/api/companies/{cid}/projects", json={"name": "Rocket"})).json()
    goal = (await client.post(f"/api/companies/{cid}/goals", json={"title": "Mission"})).json()
    pages = [
        "/ACM/agents/all",
        "/ACM/agents/ada",
        "/ACM/agents/ada/configuration",
        "/ACM/agents/ada/keys",
        "/ACM/agents/ada/budget",
        "/ACM/org",
        f"/ACM/projects/{project['id']}",
        f"/ACM/projects/{project['id']}/configuration",
        f"/ACM/projects/{project['id']}/budget",
        "/ACM/projects",
        "/ACM/goals",
        f"/ACM/goals/{goal['id']}",
        "/ACM/costs",
        "/ACM/company/settings",
    ]
    for path in pages:
        page = await client.get(path)
        assert page.status_code == 200, path
        assert 'method="post"' not in page.text, path
    assert (await client.get("/ACM/agents/new")).status_code == 403


async def test_viewer_mutations_are_refused(client, company, agent, as_viewer):
    token = await csrf_of(client, "/ACM/agents/ada")
    for path, data in [
        ("/ACM/agents/ada/pause", {}),
        ("/ACM/agents/ada/budget", {"budget": "1"}),
        ("/ACM/costs/policies", {"scope": "company", "amount": "1"}),
        ("/ACM/company/settings", {"name": "X"}),
        ("/ACM/goals", {"title": "G"}),
    ]:
        response = await client.post(path, data={"_csrf": token, **data})
        assert response.status_code == 403, path
    assert (await client.get(f"/api/agents/{agent['id']}")).json()["status"] == "idle"
    assert (await client.get(f"/api/companies/{company['id']}/goals")).json() == []
