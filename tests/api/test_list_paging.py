"""Every list route pages: `limit` and `offset` honoured, at most `LIST_MAX` rows in one answer, and a
`Link: <…>; rel="next"` header whenever rows are left — so no list can make one answer unbounded and
no client is cut off without a way to see the rest.

The walk covers routes added later without edits: every GET route of the route table is called with
real ids (a company with two of everything); any that answers a JSON array must page, unless it is
listed in UNPAGED with the reason its length is bounded.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from fastapi.routing import APIRoute
from test_hostile_input import _path

from paperclip.api import input_guard
from paperclip.api.paging import LIST_MAX

# Arrays whose length is bounded by something other than what callers create.
UNPAGED = {
    "/api/issues/{issue_id}/live-runs": "the issue's queued and running runs (one agent runs an issue at a time)",
    "/api/heartbeat-runs/{run_id}/issues": "the issues named in one run's context",
    "/api/instance/scheduler-replicas": "one row per server replica",
    "/api/adapters": "the adapter types this server ships",
    "/api/plugins": "plugins are not supported: always empty",
    "/api/plugins/ui-contributions": "plugins are not supported: always empty",
    "/api/companies/{company_id}/skills": "no skill library: always empty",
    "/api/skills/catalog": "no skill library: always empty",
    "/api/companies/{company_id}/inbox-dismissals": "no dismissal route exists: always empty",
    "/api/agents/me/inbox-lite": "capped by the inbox's own limit (the original's)",
    "/api/companies/{company_id}/costs/by-agent": "one row per agent (grouped)",
    "/api/companies/{company_id}/costs/by-agent-model": "one row per agent and model (grouped)",
    "/api/companies/{company_id}/costs/by-provider": "one row per provider (grouped)",
    "/api/companies/{company_id}/costs/by-project": "one row per project (grouped)",
    "/api/companies/{company_id}/costs/by-biller": "one row per biller (grouped)",
    "/api/companies/{company_id}/costs/finance-by-biller": "one row per biller (grouped)",
    "/api/companies/{company_id}/costs/finance-by-kind": "one row per event kind (grouped)",
    "/api/companies/{company_id}/costs/window-spend": "one row per rolling window",
    "/api/companies/{company_id}/costs/quota-windows": "one row per provider quota window",
    "/api/companies/{company_id}/environments": "only the built-in Local environment can exist (other drivers are refused)",
    "/api/companies/{company_id}/provider-traces": "no provider traces are recorded: always empty",
    "/api/companies/{company_id}/secret-providers": "the providers this server is configured with",
    "/api/companies/{company_id}/org": "the org tree (its roots, each with its reports): a tree has no row order to page",
}
# Lists that keep the original's own `limit` (its default and maximum, and a cursor or offset of its own).
OWN_LIMIT = {
    "/api/companies/{company_id}/activity",
    "/api/issues/{issue_id}/activity",
    "/api/issues/{issue_id}/comments",
    "/api/companies/{company_id}/live-runs",
    "/api/companies/{company_id}/costs/finance-events",
}


async def _two_of_everything(client) -> dict[str, str]:
    companies = [(await client.post("/api/companies", json={"name": f"Pager {n}"})).json() for n in (1, 2)]
    cid = companies[0]["id"]
    agents = [
        (
            await client.post(
                f"/api/companies/{cid}/agents",
                json={
                    "name": f"Pager Agent {n}",
                    "adapterType": "process",
                    "adapterConfig": {"command": "true"},
                    "runtimeConfig": {"heartbeat": {"enabled": False}},
                },
            )
        ).json()
        for n in (1, 2)
    ]
    aid = agents[0]["id"]
    for n in (1, 2):
        await client.post(f"/api/agents/{aid}/keys", json={"name": f"k{n}"})
        await client.patch(f"/api/agents/{aid}", json={"title": f"Title {n}"})
        await client.post(f"/api/companies/{cid}/goals", json={"title": f"Goal {n}", "level": "company"})
        await client.post(f"/api/companies/{cid}/projects", json={"name": f"Project {n}"})
        await client.post(f"/api/companies/{cid}/labels", json={"name": f"label-{n}", "color": "#aabbcc"})
        await client.post(f"/api/companies/{cid}/secrets", json={"name": f"pager-{n}", "value": f"v{n}"})
        await client.post("/api/board-api-keys", json={"name": f"script {n}"})
    issue = (await client.post(f"/api/companies/{cid}/issues", json={"title": "Paged issue"})).json()
    iid = issue["id"]
    approvals = [
        (
            await client.post(
                f"/api/companies/{cid}/approvals",
                json={"type": "request_board_approval", "payload": {"n": n}, "issueIds": [iid]},
            )
        ).json()
        for n in (1, 2)
    ]
    secret = (await client.get(f"/api/companies/{cid}/secrets")).json()[0]
    await client.post(f"/api/secrets/{secret['id']}/rotate", json={"value": "v-rotated"})
    for n in (1, 2):
        await client.post(f"/api/approvals/{approvals[0]['id']}/comments", json={"body": f"c{n}"})
        await client.post(f"/api/issues/{iid}/comments", json={"body": f"comment {n}"})
        await client.put(f"/api/issues/{iid}/documents/plan", json={"body": f"plan v{n}"})
        await client.put(f"/api/issues/{iid}/documents/notes{n}", json={"body": "notes"})
        await client.post(
            f"/api/issues/{iid}/work-products",
            json={
                "type": "pull_request",
                "provider": "github",
                "title": f"PR {n}",
                "url": f"https://x.test/{n}",
            },
        )
        await client.post(
            f"/api/companies/{cid}/issues/{iid}/attachments",
            files={"file": (f"f{n}.txt", b"x", "text/plain")},
        )
        await client.post(
            f"/api/companies/{cid}/routines", json={"title": f"Routine {n}", "assigneeAgentId": aid}
        )
        await client.post(f"/api/companies/{cid}/invites", json={"allowedJoinTypes": "human"})
    return {
        "company_id": cid,
        "agent_id": aid,
        "issue_id": iid,
        "approval_id": approvals[0]["id"],
        "secret_id": secret["id"],
        "key": "plan",
    }


def _declares_paging(route: APIRoute) -> bool:
    known = input_guard.known_query_names(route) or frozenset()
    return {"limit", "offset"} <= known


async def test_every_list_route_pages(app, client):
    ids = await _two_of_everything(client)
    lists, paged_through, failures = 0, [], []
    for route in [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith("/api")]:
        if "GET" not in route.methods or route.path in UNPAGED:
            continue
        url = _path(route, ids)
        res = await client.get(url)
        if res.status_code != 200 or not res.headers.get("content-type", "").startswith("application/json"):
            continue
        full = res.json()
        if not isinstance(full, list):
            continue
        lists += 1
        if route.path in OWN_LIMIT:
            if len(full) >= 2 and len((await client.get(url, params={"limit": 1})).json()) != 1:
                failures.append(f"{route.path}: its own limit=1 was not honoured")
            continue
        if not _declares_paging(route):
            failures.append(f"{route.path}: answers a list but takes no limit/offset")
            continue
        if "link" in res.headers:
            failures.append(f"{route.path}: a Link header on a list of {len(full)}")
        if len(full) < 2:
            continue
        first = await client.get(url, params={"limit": 1})
        if first.json() != full[:1]:
            failures.append(f"{route.path}: limit=1 answered {len(first.json())} rows, not the first")
            continue
        link = re.fullmatch(r'<([^>]+)>; rel="next"', first.headers.get("link", ""))
        if link is None:
            failures.append(f"{route.path}: no next link with {len(full)} rows and limit=1")
            continue
        assert parse_qs(urlsplit(link.group(1)).query)["offset"] == ["1"]
        second = await client.get(link.group(1))
        if second.json() != full[1:2]:
            failures.append(f"{route.path}: the next link did not answer the second row")
        paged_through.append(route.path)
    assert not failures, "\n".join(failures)
    # the walk really exercised paging (a seed that stopped working would leave it checking nothing)
    assert lists >= 25, lists
    assert len(paged_through) >= 20, paged_through


async def test_paging_bounds_and_the_default_ceiling(client):
    cid = (await client.post("/api/companies", json={"name": "Bounds"})).json()["id"]
    url = f"/api/companies/{cid}/labels"
    for params, message in (
        ({"limit": 0}, f"limit must be an integer from 1 to {LIST_MAX}"),
        ({"limit": LIST_MAX + 1}, f"limit must be an integer from 1 to {LIST_MAX}"),
        ({"offset": -1}, "offset must be an integer from 0"),
    ):
        res = await client.get(url, params=params)
        assert res.status_code == 400, (params, res.text)
        assert message in res.json()["error"], res.json()
    # past the end: an empty page, no link
    res = await client.get(url, params={"offset": 50})
    assert res.status_code == 200 and res.json() == [] and "link" not in res.headers


async def test_a_list_longer_than_the_ceiling_says_so(client, app):
    """Without `limit` an answer holds at most LIST_MAX rows, and its Link asks for the rest."""
    from sqlalchemy import text

    cid = (await client.post("/api/companies", json={"name": "Many Labels"})).json()["id"]
    async with app.state.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO labels (company_id, name, color) "
                "SELECT CAST(:cid AS uuid), 'l' || lpad(n::text, 5, '0'), '#000000' FROM generate_series(1, :n) n"
            ),
            {"cid": cid, "n": LIST_MAX + 5},
        )
    res = await client.get(f"/api/companies/{cid}/labels")
    assert len(res.json()) == LIST_MAX
    link = re.fullmatch(r'<([^>]+)>; rel="next"', res.headers["link"])
    assert link is not None
    rest = await client.get(link.group(1))
    assert [r["name"] for r in rest.json()] == [f"l{n:05d}" for n in range(LIST_MAX + 1, LIST_MAX + 6)]
    assert "link" not in rest.headers


async def test_invites_page_as_the_original(client):
    """`{invites, nextOffset}`, 20 by default, at most 100, newest first."""
    cid = (await client.post("/api/companies", json={"name": "Invites"})).json()["id"]
    made = [
        (await client.post(f"/api/companies/{cid}/invites", json={"allowedJoinTypes": "human"})).json()["id"]
        for _ in range(23)
    ]
    first = (await client.get(f"/api/companies/{cid}/invites")).json()
    assert len(first["invites"]) == 20 and first["nextOffset"] == 20
    assert first["invites"][0]["id"] == made[-1]
    rest = (await client.get(f"/api/companies/{cid}/invites", params={"offset": 20})).json()
    assert [i["id"] for i in rest["invites"]] == made[2::-1] and rest["nextOffset"] is None
    one = (await client.get(f"/api/companies/{cid}/invites", params={"limit": 1, "offset": 22})).json()
    assert [i["id"] for i in one["invites"]] == [made[0]] and one["nextOffset"] is None
    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}):
        assert (await client.get(f"/api/companies/{cid}/invites", params=bad)).status_code == 400
