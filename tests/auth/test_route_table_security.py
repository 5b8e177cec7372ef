"""The whole route table, in authenticated mode, as three kinds of caller (routes come from the app
itself, so a route added tomorrow is covered the day it is added):

- anonymous: every route answers 401, except the short allow-list of public routes below;
- a member of company A, on company B's objects: 403/404 (or a 2xx read revealing nothing of B),
  and B's rows are unchanged afterwards;
- a viewer: every mutation of the company answers 403 and nothing changes.

Path parameters are filled by name from ids of real objects (`company_id`, `issue_id`, ...); a name
this test does not know gets a random UUID (the route must then answer 403/404 or 401, never 2xx).
A public route belongs in PUBLIC (or has `/public/` in its path, like webhooks that authenticate by
signature).
"""

from __future__ import annotations

import re
import uuid

import psycopg
from fastapi.routing import APIRoute, APIWebSocketRoute

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC = {
    ("GET", "/api/health"),
    ("GET", "/api/metrics"),  # Prometheus: its own bearer token, else only loopback and private networks
    ("POST", "/api/auth/sign-up/email"),
    ("POST", "/api/auth/sign-in/email"),
    ("POST", "/api/auth/sign-out"),
    ("GET", "/api/auth/get-session"),
    ("GET", "/api/invites/{token}"),
    ("POST", "/api/invites/{token}/accept"),
    ("GET", "/api/invites/{token}/onboarding"),
    ("GET", "/api/invites/{token}/onboarding.txt"),
    ("GET", "/api/invites/{token}/logo"),
    ("GET", "/api/board-claim/{token}"),
    ("POST", "/api/board-claim/{token}/claim"),
    ("POST", "/api/cli-auth/challenges"),
    ("GET", "/api/cli-auth/challenges/{challenge_id}"),
    ("POST", "/api/cli-auth/challenges/{challenge_id}/approve"),
    ("POST", "/api/cli-auth/challenges/{challenge_id}/cancel"),
    ("POST", "/api/join-requests/{request_id}/claim-api-key"),
    # routine webhooks: the trigger's signing secret authenticates the caller, not a session or key
    ("POST", "/api/routine-triggers/public/{public_id}/fire"),
}

# Websocket routes answer a handshake, not a request: the HTTP walk below cannot call them. Each one
# is listed here with the test of its refusals (anonymous, another company, foreign Origin), so a new
# one fails this file until it gets such a test.
WEBSOCKET_ROUTES = {
    "/api/companies/{company_id}/events/ws": "tests/live_ws/test_events_ws.py::test_handshake_refusals_in_authenticated_mode",
}


def test_every_websocket_route_has_a_handshake_refusal_test(app):
    found = {r.path for r in app.routes if isinstance(r, APIWebSocketRoute) and r.path.startswith("/api")}
    assert found == set(WEBSOCKET_ROUTES)


def _routes(app) -> list[tuple[str, str]]:
    routes = [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith("/api")]
    assert len(routes) > 100
    pairs = [(m, r.path) for r in routes for m in r.methods if m != "HEAD"]
    return sorted(pairs, key=lambda mp: mp[0] in WRITE_METHODS)  # reads first


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: ids.get(m.group(1), str(uuid.uuid4())), path)


async def _company_with_objects(http, live, name: str) -> dict[str, str]:
    """A company with one of everything, made through the API by an admin."""

    async def ok(r):
        assert r.status_code < 300, r.text
        return r.json()

    cid = (await ok(await http.post("/api/companies", json={"name": name})))["id"]
    agent = await ok(
        await http.post(
            f"/api/companies/{cid}/agents",
            json={
                "name": f"{name} Agent",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            },
        )
    )
    key = await ok(await http.post(f"/api/agents/{agent['id']}/keys", json={"name": "k"}))
    await ok(await http.patch(f"/api/agents/{agent['id']}", json={"title": "Renamed"}))
    revisions = await ok(await http.get(f"/api/agents/{agent['id']}/config-revisions"))
    goal = await ok(await http.post(f"/api/companies/{cid}/goals", json={"title": "g", "level": "company"}))
    project = await ok(await http.post(f"/api/companies/{cid}/projects", json={"name": "p"}))
    issue = await ok(await http.post(f"/api/companies/{cid}/issues", json={"title": "i"}))
    comment = await ok(await http.post(f"/api/issues/{issue['id']}/comments", json={"body": "hello"}))
    label = await ok(await http.post(f"/api/companies/{cid}/labels", json={"name": "l", "color": "#aabbcc"}))
    approval = await ok(
        await http.post(
            f"/api/companies/{cid}/approvals",
            json={"type": "request_board_approval", "payload": {"why": "test"}},
        )
    )
    run = await ok(await http.post(f"/api/agents/{agent['id']}/wakeup", json={"source": "on_demand"}))
    invite = await ok(await http.post(f"/api/companies/{cid}/invites", json={"allowedJoinTypes": "agent"}))
    join = await ok(
        await live.client().post(
            f"/api/invites/{invite['token']}/accept", json={"requestType": "agent", "agentName": "Joiner"}
        )
    )
    members = (await ok(await http.get(f"/api/companies/{cid}/members")))["members"]
    routine = await ok(
        await http.post(f"/api/companies/{cid}/routines", json={"title": "r", "assigneeAgentId": agent["id"]})
    )
    trigger = (
        await ok(await http.post(f"/api/routines/{routine['id']}/triggers", json={"kind": "webhook"}))
    )["trigger"]
    return {
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
        "invite_id": invite["id"],
        "request_id": join["id"],
        "member_id": members[0]["id"],
        "user_id": members[0]["principalId"],
        "id": issue["id"],
        "routine_id": routine["id"],
        "trigger_id": trigger["id"],
        "public_id": trigger["publicId"],
    }


def _snapshot(database_url: str, company_id: str) -> dict[str, str]:
    """A digest of every row of the company in every table that has a company_id column."""
    with psycopg.connect(database_url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'company_id' AND table_schema = 'public'"
            )
        ]
        out = {}
        for table in tables:
            out[table] = conn.execute(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t "
                "WHERE company_id = %s",
                (company_id,),
            ).fetchone()[0]
        out["companies"] = conn.execute(
            "SELECT md5(t::text) FROM companies t WHERE id = %s", (company_id,)
        ).fetchone()[0]
    return out


async def test_anonymous_callers_get_401_everywhere_but_the_public_routes(live):
    admin, user = await live.sign_up()
    await live.make_admin(user["id"])
    ids = await _company_with_objects(admin, live, "Alpha")
    anonymous = live.client()
    wrong = []
    for method, path in _routes(live.app):
        public = (method, path) in PUBLIC or "/public/" in path
        r = await anonymous.request(method, _fill(path, ids), json={} if method in WRITE_METHODS else None)
        assert r.status_code < 500, (method, path, r.status_code, r.text[:300])
        if not public and r.status_code != 401:
            wrong.append((method, path, r.status_code, r.text[:120]))
    assert not wrong, wrong
    # a bearer token or cookie that matches nothing is 401 (never a fall-through to anonymous), public or not
    for headers in (
        {"authorization": "Bearer pcp_" + "0" * 48},
        {"cookie": "paperclip-default.session_token=nope"},
    ):
        assert (
            await anonymous.get(f"/api/companies/{ids['company_id']}", headers=headers)
        ).status_code == 401
        assert (await anonymous.get("/api/auth/get-session", headers=headers)).status_code == 401


async def test_a_member_of_company_a_can_neither_see_nor_change_company_b(live, database_url):
    admin, admin_user = await live.sign_up()
    await live.make_admin(admin_user["id"])
    a = await _company_with_objects(admin, live, "Alpha")
    b = await _company_with_objects(admin, live, "Beta")
    member, member_user = await live.sign_up()
    await live.add_member(a["company_id"], member_user["id"], "owner")
    assert (await member.get(f"/api/companies/{a['company_id']}/issues")).status_code == 200
    assert (await member.get(f"/api/companies/{b['company_id']}/issues")).status_code == 403
    before = _snapshot(database_url, b["company_id"])
    secrets_of_b = {v for k, v in b.items() if k != "user_id"}
    leaks = []
    for method, path in _routes(live.app):
        r = await member.request(method, _fill(path, b), json={} if method in WRITE_METHODS else None)
        assert r.status_code < 500, (method, path, r.status_code, r.text[:300])
        if r.status_code >= 300:
            continue
        if method in WRITE_METHODS and "{" in path:
            leaks.append((method, path, r.status_code, "write succeeded"))
        elif any(value in r.text for value in secrets_of_b):
            leaks.append((method, path, r.status_code, r.text[:200]))
    assert not leaks, leaks
    assert _snapshot(database_url, b["company_id"]) == before


async def test_a_viewer_changes_nothing(live, database_url):
    admin, admin_user = await live.sign_up()
    await live.make_admin(admin_user["id"])
    a = await _company_with_objects(admin, live, "Alpha")
    viewer, viewer_user = await live.sign_up()
    await live.add_member(a["company_id"], viewer_user["id"], "viewer")
    assert (await viewer.get(f"/api/companies/{a['company_id']}/issues")).status_code == 200
    before = _snapshot(database_url, a["company_id"])
    wrong = []
    for method, path in _routes(live.app):
        if (
            method not in WRITE_METHODS
            or "{" not in path
            or path.startswith(
                (
                    "/api/auth/",
                    "/api/invites/{token}",
                    "/api/board-claim/",
                    "/api/cli-auth/",
                    "/api/board-api-keys",
                    "/api/join-requests/",
                    "/api/routine-triggers/public/",
                )
            )
        ):  # webhooks: signed, not a member's act
            continue
        r = await viewer.request(method, _fill(path, a), json={})
        if r.status_code != 403:
            wrong.append((method, path, r.status_code, r.text[:120]))
    assert not wrong, wrong
    assert _snapshot(database_url, a["company_id"]) == before
