"""Every route, called with another company's agent key, neither changes nor reveals anything.

A guard over the whole API (routes added later are covered automatically): company A's ids go into
every path parameter, company B's agent key is the caller. A 2xx is only acceptable for a read whose
body mentions none of company A's ids.
"""

from __future__ import annotations

import re
import uuid

from fastapi.routing import APIRoute

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


async def _company_a(api) -> dict[str, str]:
    client = api.client
    cid = (await api.company("Alpha Scope"))["id"]
    agent = await api.agent(cid, "Alpha Agent", runtimeConfig={"heartbeat": {"enabled": False}})
    key = await api.ok("POST", f"/api/agents/{agent['id']}/keys", json={"name": "a"})
    await client.patch(f"/api/agents/{agent['id']}", json={"title": "Renamed"})
    revisions = (await client.get(f"/api/agents/{agent['id']}/config-revisions")).json()
    goal = await api.goal(cid, "Alpha goal", level="company")
    project = await api.project(cid, "Alpha project")
    issue = await api.issue(cid, title="Alpha issue")
    comment = (await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "hello"})).json()
    label = (
        await client.post(f"/api/companies/{cid}/labels", json={"name": "alpha", "color": "#aabbcc"})
    ).json()
    approval = (
        await client.post(
            f"/api/companies/{cid}/approvals",
            json={"type": "request_board_approval", "payload": {"why": "scope test"}},
        )
    ).json()
    run = (await client.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"})).json()
    secret = await api.secret(cid, "alpha-key", "alpha-value")
    ids = {
        "company_id": cid,
        "agent_id": agent["id"],
        "key_id": key["id"],
        "goal_id": goal["id"],
        "project_id": project["id"],
        "issue_id": issue["id"],
        "comment_id": comment["id"],
        "label_id": label["id"],
        "approval_id": approval["id"],
        "revision_id": revisions[0]["id"] if revisions else str(uuid.uuid4()),
        "run_id": run.get("id") or str(uuid.uuid4()),
        "secret_id": secret["id"],
    }
    assert all(ids.values()), ids
    return ids


async def _agent_key_of_company_b(api) -> str:
    company = await api.company("Beta Scope")
    return await api.agent_key((await api.agent(company["id"], "Beta Agent"))["id"], "b")


async def test_no_route_lets_an_agent_of_another_company_change_or_read_anything(api, app, client):
    ids = await _company_a(api)
    token = await _agent_key_of_company_b(api)
    headers = {"authorization": f"Bearer {token}"}
    # the setup is real: B's key authenticates, A's rows exist, and a plain cross-company read is refused
    assert (await client.get("/api/agents/me", headers=headers)).status_code == 200
    assert (await client.get(f"/api/issues/{ids['issue_id']}")).status_code == 200
    assert (await client.get(f"/api/issues/{ids['issue_id']}", headers=headers)).status_code in (403, 404)
    assert (
        await client.get(f"/api/companies/{ids['company_id']}/issues", headers=headers)
    ).status_code == 403
    secrets_of_a = set(ids.values())
    leaks = []
    routes = [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith("/api")]
    assert len(routes) > 50
    # reads first, then writes (a write that wrongly succeeded must not hide later findings)
    ordered = sorted(
        ((m, r) for r in routes for m in r.methods if m != "HEAD"), key=lambda mr: mr[0] in WRITE_METHODS
    )
    for method, route in ordered:
        path = re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: ids.get(m.group(1), str(uuid.uuid4())), route.path)
        body = {} if method in WRITE_METHODS else None
        response = await client.request(method, path, headers=headers, json=body)
        assert response.status_code < 500, (method, route.path, response.status_code, response.text[:300])
        if response.status_code >= 300:
            continue
        text = response.text
        if method in WRITE_METHODS and "{" in route.path:
            leaks.append((method, route.path, response.status_code, "write succeeded"))
        elif any(value in text for value in secrets_of_a):
            leaks.append((method, route.path, response.status_code, text[:200]))
    assert not leaks, leaks
