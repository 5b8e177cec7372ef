"""A query parameter a GET route does not know is refused with a 400 naming it, on every GET route of
the route table (routes come from the app, so a route added tomorrow is covered): a filter we do not
implement must never be silently ignored, which would answer every row as if it were the filtered set.
"""

from __future__ import annotations

import re
import uuid

from fastapi.routing import APIRoute

from paperclip.api import input_guard
from paperclip.cli.client.catalog import GROUPS

# The issue-list filters the original accepts (paperclip-core.md §4.2 and the original run beside ours):
# each one is honoured, never refused and never ignored.
ISSUE_LIST_FILTERS = {
    "status": "todo",
    "assigneeAgentId": "null",
    "assigneeUserId": "me",
    "projectId": "null",
    "goalId": "null",
    "parentId": "null",
    "labelId": str(uuid.uuid4()),
    "q": "x",
    "originKind": "manual",
    "limit": "5",
    "offset": "0",
    "participantAgentId": str(uuid.uuid4()),
    "descendantOf": str(uuid.uuid4()),
    "createdFromIssueId": str(uuid.uuid4()),
}


def _get_routes(app) -> list[APIRoute]:
    return [
        r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith("/api") and "GET" in r.methods
    ]


async def test_every_get_route_refuses_an_unknown_query_parameter_by_name(app, client):
    routes = _get_routes(app)
    assert len(routes) > 60
    checked = 0
    for route in routes:
        if input_guard.known_query_names(route) is None:
            continue
        path = re.sub(r"\{\w+(:[^}]*)?\}", lambda _m: str(uuid.uuid4()), route.path)
        response = await client.get(path, params={"zzNotAFilter": "1"})
        assert response.status_code == 400, (route.path, response.status_code, response.text)
        assert "'zzNotAFilter'" in response.json()["error"], (route.path, response.text)
        checked += 1
    assert checked == len(routes), "only routes that read their own query string may opt out"


async def test_the_message_lists_what_the_route_accepts_and_known_ones_pass(client):
    company = (await client.post("/api/companies", json={"name": "Filters"})).json()
    url = f"/api/companies/{company['id']}/issues"
    refused = await client.get(url, params={"status": "todo", "assigneeAgentID": "x"})  # a wrong-case name
    assert refused.status_code == 400
    message = refused.json()["error"]
    assert "'assigneeAgentID'" in message and "assigneeAgentId" in message and "descendantOf" in message
    # a name written with percent-escapes is the name it decodes to
    assert (await client.get(url + "?st%61tus=todo")).status_code == 200
    assert (await client.get(url + "?b%61d=1")).json()["error"].startswith("Unknown query parameter 'bad'")


async def test_the_original_issue_list_filters_are_each_accepted(client):
    company = (await client.post("/api/companies", json={"name": "Filters"})).json()
    await client.post(f"/api/companies/{company['id']}/issues", json={"title": "one", "status": "todo"})
    for name, value in ISSUE_LIST_FILTERS.items():
        response = await client.get(f"/api/companies/{company['id']}/issues", params={name: value})
        assert response.status_code == 200, (name, response.text)


def test_every_query_parameter_the_original_cli_sends_is_declared_by_our_route(app):
    """The client catalog records what the original CLI sends; each parameter must be one our route
    knows, or the strict check would refuse a command that works against the original."""
    routes = _get_routes(app)
    undeclared = []
    for group, (_help, commands) in GROUPS.items():
        for cmd in commands:
            if cmd.method != "GET":
                continue
            shape = re.sub(r"\{\w+\}", "X", cmd.path)
            route = next(
                (r for r in routes if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", r.path), shape)), None
            )
            if route is None:
                continue  # a route we do not have yet: its own test adds it
            known = input_guard.known_query_names(route) or frozenset()
            undeclared += [
                f"{group} {cmd.name}: {opt.wire}"
                for opt in cmd.opts
                if opt.to == "query" and opt.wire not in known
            ]
    assert not undeclared
