"""Project pages: list with counts, create, detail tabs, configuration with env, archive, budget."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.web.conftest import csrf_of


async def test_create_project_from_the_list_page(client, company, agent):
    empty = await client.get("/ACM/projects")
    assert empty.status_code == 200 and "No projects yet" in empty.text
    goal = (await client.post(f"/api/companies/{company['id']}/goals", json={"title": "Ship it"})).json()
    token = await csrf_of(client, "/ACM/projects")
    form = urlencode(
        [
            ("_csrf", token),
            ("name", "Rocket"),
            ("status", "planned"),
            ("leadAgentId", agent["id"]),
            ("targetDate", "2027-01-31"),
            ("goalIds", goal["id"]),
            ("description", "Go **up**"),
        ]
    )
    response = await client.post(
        "/ACM/projects", content=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 303, response.text
    project = (await client.get(f"/api/companies/{company['id']}/projects")).json()[0]
    assert response.headers["location"] == f"/ACM/projects/{project['id']}"
    assert project["leadAgentId"] == agent["id"] and project["goalIds"] == [goal["id"]]
    assert project["targetDate"].startswith("2027-01-31")
    listing = await client.get("/ACM/projects")
    assert "Rocket" in listing.text and "Ship it" in listing.text
    detail = await client.get(f"/ACM/projects/{project['id']}")
    assert detail.status_code == 200 and "<strong>up</strong>" in detail.text and "Ada" in detail.text
    actions = [e["action"] for e in (await client.get(f"/api/companies/{company['id']}/activity")).json()]
    assert "project.created" in actions


async def test_project_tabs_issues_and_unknown(client, company):
    project = (await client.post(f"/api/companies/{company['id']}/projects", json={"name": "Rocket"})).json()
    await client.post(
        f"/api/companies/{company['id']}/issues", json={"title": "Build engine", "projectId": project["id"]}
    )
    for tab in ("overview", "issues", "configuration", "budget"):
        page = await client.get(f"/ACM/projects/{project['id']}/{tab}")
        assert page.status_code == 200, tab
    assert "ACM-1" in (await client.get(f"/ACM/projects/{project['id']}/issues")).text
    assert (await client.get(f"/ACM/projects/{project['id']}/nope")).status_code == 404
    assert (await client.get("/ACM/projects/00000000-0000-0000-0000-000000000000")).status_code == 404


async def test_configuration_saves_env_without_showing_it_and_archive(client, company):
    project = (await client.post(f"/api/companies/{company['id']}/projects", json={"name": "Rocket"})).json()
    url = f"/ACM/projects/{project['id']}"
    token = await csrf_of(client, url + "/configuration")
    form = urlencode(
        [
            ("_csrf", token),
            ("name", "Rocket 2"),
            ("status", "in_progress"),
            ("env.name", "DEPLOY_KEY"),
            ("env.value", "hunter2"),
            ("env.name", ""),
            ("env.value", ""),
        ]
    )
    response = await client.post(
        url, content=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 303, response.text
    stored = (await client.get(f"/api/projects/{project['id']}")).json()
    assert (
        stored["name"] == "Rocket 2" and stored["status"] == "in_progress" and "DEPLOY_KEY" in stored["env"]
    )
    page = await client.get(url + "/configuration")
    assert "DEPLOY_KEY" in page.text and "hunter2" not in page.text
    await client.post(url + "/archive", data={"_csrf": token})
    assert (await client.get(f"/api/projects/{project['id']}")).json()["archivedAt"] is not None


async def test_project_budget_form(client, company):
    project = (await client.post(f"/api/companies/{company['id']}/projects", json={"name": "Rocket"})).json()
    url = f"/ACM/projects/{project['id']}/budget"
    token = await csrf_of(client, url)
    response = await client.post(
        f"/ACM/projects/{project['id']}/budget", data={"_csrf": token, "amount": "75"}
    )
    assert response.status_code == 303
    assert "$75.00" in (await client.get(url)).text
    refused = await client.post(f"/ACM/projects/{project['id']}/budget", data={"amount": "1"})
    assert refused.status_code == 403
