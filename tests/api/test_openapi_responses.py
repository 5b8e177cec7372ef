"""/api/openapi.json declares every route's success answer, and the declarations are true (issue 15).

- Every operation of the route table declares its success status and body
  (`paperclip.api.responses.returns`): a new route without one fails here.
- The document is a valid OpenAPI 3.1 document (openapi-spec-validator).
- Real answers conform: every GET route is called with the real ids of a company with one of
  everything, as the board and as the company's agent; each 2xx answer is validated against the
  document by the `client` fixture's hook (tests/openapi_conformance.py, objects closed to unknown
  fields), which also checks the answers of every other suite's requests.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid

from fastapi.routing import APIRoute
from openapi_conformance import Conformance
from openapi_spec_validator import validate
from test_company_scoping import _company_a

from paperclip.api.responses import declared, status_of

# Query parameters a GET route requires.
QUERY = {
    "/api/companies/{company_id}/folders": {"kind": "issues"},
    "/api/agents/me/inbox/mine": {"userId": "local-board"},
    "/api/agents/{agent_id}/instructions-bundle/file": {"path": "AGENTS.md"},
}


# Routes other helpers added while the declarations were being written, to be declared next: this list
# may only shrink (a route declared now fails the test until it leaves the list).
PENDING: set[tuple[str, str]] = set()


def _operations(app) -> list[tuple[str, APIRoute]]:
    return [
        (method, route)
        for route in app.routes
        if isinstance(route, APIRoute) and route.path.startswith("/api") and route.include_in_schema
        for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"})
    ]


async def test_every_route_declares_its_success_answer(app, client):
    document = (await client.get("/api/openapi.json")).json()
    missing, stale = [], []
    operations = _operations(app)
    assert len(operations) > 200
    for method, route in operations:
        key = (method, route.path)
        successes = {
            code: answer
            for code, answer in document["paths"][route.path][method.lower()]["responses"].items()
            if code.startswith("2")
        }
        if not declared(route.endpoint):
            if key not in PENDING:
                missing.append(f"{method} {route.path}")
            continue
        if key in PENDING:
            stale.append(f"{method} {route.path} (declared now: remove it from PENDING)")
        assert successes, key
        for code, answer in successes.items():
            assert code == "204" or answer.get("content"), (key, code, "a body must have a schema")
            assert code != "204" or not answer.get("content"), (key, "204 has no body")
        if route.status_code is not None:
            assert str(route.status_code) in successes, (key, route.status_code, sorted(successes))
    assert not missing, (
        "routes without a declared success answer (add @returns(Model) under the route decorator, "
        "paperclip.api.responses):\n" + "\n".join(missing)
    )
    assert not stale, "\n".join(stale)


async def test_the_document_is_valid_openapi(client):
    document = (await client.get("/api/openapi.json")).json()
    validate(document)
    # pydantic qualifies clashing model names with their module ("paperclip__x__Name"): generators
    # then produce duplicate classes or give up, so every name must be unique
    assert not [name for name in document["components"]["schemas"] if "__" in name]
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', str(document).replace("'", '"')))
    assert refs <= document["components"]["schemas"].keys()


def test_the_models_are_not_imported_at_start_up():
    """Declarations name their models by string: building the app imports none of the few hundred
    wire models (class creation costs ~1 ms each); only /api/openapi.json does."""
    code = (
        "import sys; from paperclip.api.router import mount_api; "
        "print(sorted(m for m in sys.modules if m.endswith('.responses') and m.startswith('paperclip.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['paperclip.api.responses']"


async def _more_of_everything(api, client, ids: dict[str, str]) -> dict[str, str]:
    """Beyond test_company_scoping's company: the rows the remaining GET routes read."""
    cid, issue = ids["company_id"], ids["issue_id"]
    document = await client.put(
        f"/api/issues/{issue}/documents/plan", json={"title": "Plan", "format": "markdown", "body": "# p"}
    )
    assert document.status_code in (200, 201), document.text
    product = await client.post(
        f"/api/issues/{issue}/work-products",
        json={"type": "pull_request", "provider": "github", "title": "PR", "url": "https://example.com/1"},
    )
    attachment = await client.post(
        f"/api/companies/{cid}/issues/{issue}/attachments",
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    routine = await client.post(
        f"/api/companies/{cid}/routines", json={"title": "Daily", "assigneeAgentId": ids["agent_id"]}
    )
    cost = await client.post(
        f"/api/companies/{cid}/cost-events",
        json={
            "agentId": ids["agent_id"],
            "issueId": issue,
            "provider": "anthropic",
            "model": "claude",
            "inputTokens": 10,
            "outputTokens": 5,
            "costCents": 3,
            "occurredAt": "2026-12-01T00:00:00Z",
        },
    )
    invite = await client.post(f"/api/companies/{cid}/invites", json={})
    bundle = await client.put(
        f"/api/agents/{ids['agent_id']}/instructions-bundle/file",
        json={"path": "AGENTS.md", "content": "# Hi"},
    )
    assert bundle.status_code == 200, bundle.text
    out = dict(ids)
    out["key"] = "plan"
    if product.status_code == 201:
        out["work_product_id"] = product.json()["id"]
    if attachment.status_code == 201:
        out["attachment_id"] = attachment.json()["id"]
    if routine.status_code == 201:
        out["routine_id"] = routine.json()["id"]
    assert cost.status_code == 201, cost.text
    if invite.status_code == 201:
        body = invite.json()
        out["invite_id"] = body.get("id", "")
        out["token"] = body.get("token") or str(body.get("inviteUrl", "")).rsplit("/", 1)[-1]
    by_agent = await client.post(
        f"/api/issues/{issue}/comments",
        json={"body": "agent's work"},
        headers=await api.agent_auth(ids["agent_id"], ids["run_id"]),
    )
    assert by_agent.status_code == 201, by_agent.text
    vote = await client.post(
        f"/api/issues/{issue}/feedback-votes",
        json={"targetType": "issue_comment", "targetId": by_agent.json()["id"], "vote": "up"},
    )
    assert vote.status_code == 201, vote.text
    out["trace_id"] = (await client.get(f"/api/issues/{issue}/feedback-traces")).json()[0]["id"]
    hold = await client.post(f"/api/issues/{issue}/tree-holds", json={"mode": "resume"})  # a record only
    assert hold.status_code == 200, hold.text
    out["hold_id"] = hold.json()["hold"]["id"]
    out["environment_id"] = (await client.get(f"/api/companies/{cid}/environments")).json()[0]["id"]
    revisions = (await client.get(f"/api/issues/{issue}/documents/plan/revisions")).json()
    if revisions:
        out["doc_revision_id"] = revisions[0]["id"]
    return {k: v for k, v in out.items() if v}


async def test_every_get_route_answers_what_the_document_declares(api, app, client):
    ids = await _more_of_everything(api, client, await _company_a(api))
    agent_key = (await client.post(f"/api/agents/{ids['agent_id']}/keys", json={"name": "walk"})).json()[
        "token"
    ]
    conformance = Conformance.of(app)
    conformance.checked.clear()
    answered = set()
    for method, route in _operations(app):
        if method != "GET":
            continue
        path = re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: ids.get(m.group(1), str(uuid.uuid4())), route.path)
        for headers in ({}, {"authorization": f"Bearer {agent_key}"}):
            response = await client.get(
                path, headers=headers, params=QUERY.get(route.path)
            )  # the hook validates every 2xx
            assert response.status_code < 500, (route.path, response.status_code, response.text[:300])
            if response.status_code < 300:
                answered.add(route.path)
    gets = {
        route.path
        for method, route in _operations(app)
        if method == "GET" and (method, route.path) not in PENDING
    }
    # Every GET route answered at least once with real ids (as the board or as the agent), except
    # those that need state this company cannot have in local_trusted mode.
    unreachable = {
        "/api/board-claim/{token}",  # a board-claim token exists only while an instance is unclaimed
        "/api/cli-auth/challenges/{challenge_id}",  # CLI sign-in challenges (tests/access)
        "/api/admin/users/{user_id}/company-access",  # a signed-up user (authenticated mode)
        "/api/cli-auth/me",  # a CLI's board key (authenticated mode)
        "/api/assets/{asset_id}/content",  # an uploaded image (tests/storage)
        "/api/invites/{token}/logo",  # a company logo (tests/storage)
        "/api/agents/me/secrets",  # a run's token (tests/secrets)
        "/api/environment-leases/{lease_id}",  # a run that started (tests/environments)
    }
    unanswered = gets - answered - unreachable
    assert not unanswered, sorted(unanswered)
    json_routes = {
        route.path
        for method, route in _operations(app)
        if method == "GET"
        and any(
            entry.media == "application/json"
            and entry.model is not None
            and 200 <= status_of(entry, route.status_code) < 300
            for entry in declared(route.endpoint)
        )
    }
    unchecked = answered & json_routes - {path for _, path in conformance.checked}
    assert not unchecked, sorted(unchecked)
    assert len(conformance.checked) >= 45


async def test_the_check_refuses_an_answer_that_differs_from_its_model(app, client):
    """The hook is not a formality: an unknown field, a wrong type, a missing field, an undeclared
    status or media type are each reported."""
    company = (await client.post("/api/companies", json={"name": "Checked"})).json()
    path = f"/api/companies/{company['id']}"
    conformance = Conformance.of(app)

    def problems(body, status=200, media="application/json"):
        return conformance.problems("GET", path, status, media, json.dumps(body).encode())

    assert problems(company) == []
    assert "extraField" in str(problems({**company, "extraField": 1}))
    assert "issueCounter" in str(problems({**company, "issueCounter": "one"}))
    assert "'name' is a required property" in str(problems({k: v for k, v in company.items() if k != "name"}))
    assert "not a 'uuid'" in str(problems({**company, "id": "not-a-uuid"}))
    assert "status not declared" in str(problems(company, status=201))
    assert "declared ['application/json']" in str(problems(company, media="text/html"))
