"""Feedback votes and traces, and recovery actions, through HTTP against the real PostgreSQL (shapes,
statuses and messages as the original's, checked side by side with it)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from test_issue_interactions import run_jwt
from test_issues_concurrency import live_url  # noqa: F401  (the live-server fixture)

VOTE_KEYS = {
    "id",
    "companyId",
    "issueId",
    "targetType",
    "targetId",
    "authorUserId",
    "vote",
    "reason",
    "sharedWithLabs",
    "sharedAt",
    "consentVersion",
    "redactionSummary",
    "createdAt",
    "updatedAt",
}


async def _agent_comment(client, app, team, issue_id: str, body: str = "agent says hi") -> dict:
    response = await client.post(
        f"/api/issues/{issue_id}/comments",
        json={"body": body},
        headers=run_jwt(app, team.cid, team.a1["id"], team.r1),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_votes_upsert_per_user_and_traces_record_them(client, app, team, api):
    issue = await api.issue(team.cid, title="Voted")
    comment = await _agent_comment(client, app, team, issue["id"])
    url = f"/api/issues/{issue['id']}/feedback-votes"
    first = await client.post(
        url, json={"targetType": "issue_comment", "targetId": comment["id"], "vote": "up", "reason": "nice"}
    )
    assert first.status_code == 201, first.text
    vote = first.json()
    assert set(vote) == VOTE_KEYS
    assert (
        vote["vote"] == "up" and vote["reason"] is None and vote["sharedWithLabs"] is False
    )  # as the original
    second = (
        await client.post(
            url,
            json={
                "targetType": "issue_comment",
                "targetId": comment["id"],
                "vote": "down",
                "reason": "wrong",
                "allowSharing": True,
            },
        )
    ).json()
    assert second["id"] == vote["id"] and second["vote"] == "down" and second["reason"] == "wrong"
    assert second["sharedWithLabs"] is False  # nothing leaves this server
    listed = (await client.get(url)).json()
    assert [v["vote"] for v in listed] == ["down"]

    traces = (await client.get(f"/api/issues/{issue['id']}/feedback-traces")).json()
    assert len(traces) == 1
    trace = traces[0]
    assert trace["feedbackVoteId"] == vote["id"] and trace["status"] == "local_only"
    assert trace["issueIdentifier"] == issue["identifier"] and trace["payloadSnapshot"] is None
    assert trace["targetSummary"]["excerpt"] == "agent says hi"
    assert trace["targetSummary"]["authorAgentId"] == team.a1["id"]
    with_payload = (
        await client.get(f"/api/issues/{issue['id']}/feedback-traces", params={"includePayload": "true"})
    ).json()
    payload = with_payload[0]["payloadSnapshot"]  # the original's shape, read side by side with it
    assert payload["vote"] == {
        "id": vote["id"],
        "value": "down",
        "reason": "wrong",
        "sharedAt": None,
        "authorUserId": "local-board",
        "sharedWithLabs": False,
    }
    issue_path = f"/{issue['identifier'].split('-')[0]}/issues/{issue['identifier']}"
    assert payload["target"] == {
        "id": comment["id"],
        "type": "issue_comment",
        "metadata": None,
        "createdAt": trace["targetSummary"]["createdAt"],
        "issuePath": issue_path,
        "authorType": "agent",
        "targetPath": f"{issue_path}#comment-{comment['id']}",
        "authorUserId": None,
        "presentation": None,
        "authorAgentId": team.a1["id"],
        "createdByRunId": team.r1,
    }
    assert {
        k: payload[k] for k in ("bundle", "exportId", "sourceApp", "exportEligible", "consentVersion")
    } == {
        "bundle": None,
        "exportId": None,
        "sourceApp": "paperclip",
        "exportEligible": False,
        "consentVersion": None,
    }
    assert payload["capturedAt"] == with_payload[0]["updatedAt"]
    assert payload["redactionSummary"] == with_payload[0]["redactionSummary"]
    one = await client.get(f"/api/feedback-traces/{trace['id']}")
    assert one.status_code == 200 and one.json()["id"] == trace["id"]

    company = f"/api/companies/{team.cid}/feedback-traces"
    assert len((await client.get(company)).json()) == 1
    assert (await client.get(company, params={"vote": "up"})).json() == []
    assert len((await client.get(company, params={"vote": "down", "issueId": issue["id"]})).json()) == 1
    assert (await client.get(company, params={"sharedOnly": "true"})).json() == []
    assert (await client.get(company, params={"from": "2999-01-01"})).json() == []
    assert len((await client.get(company, params={"to": "2999-01-01T00:00:00Z"})).json()) == 1
    for params in (
        {"vote": "sideways"},
        {"targetType": "x"},
        {"status": "bogus"},
        {"from": "yesterday"},
        {"issueId": "nope"},
        {"flavour": "x"},
    ):
        refused = await client.get(company, params=params)
        assert refused.status_code == 400, (params, refused.text)
    actions = [a["action"] for a in (await client.get(f"/api/issues/{issue['id']}/activity")).json()]
    assert actions.count("issue.feedback_vote_saved") == 2


async def test_feedback_vote_bad_input_and_who_may_vote(client, app, team, api):
    issue = await api.issue(team.cid, title="Votes")
    other = await api.issue(team.cid, title="Elsewhere")
    comment = await _agent_comment(client, app, team, issue["id"])
    board_comment = (await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "mine"})).json()
    elsewhere = await _agent_comment(client, app, team, other["id"])
    url = f"/api/issues/{issue['id']}/feedback-votes"
    own = await client.post(
        url, json={"targetType": "issue_comment", "targetId": board_comment["id"], "vote": "up"}
    )
    assert own.status_code == 422
    assert own.json()["error"] == "Feedback voting is only available on agent-authored issue comments"
    for target in (elsewhere["id"], str(uuid.uuid4())):
        missing = await client.post(
            url, json={"targetType": "issue_comment", "targetId": target, "vote": "up"}
        )
        assert missing.status_code == 404 and missing.json()["error"] == "Feedback target not found"
    agent = await client.post(
        url,
        json={"targetType": "issue_comment", "targetId": comment["id"], "vote": "up"},
        headers=run_jwt(app, team.cid, team.a2["id"], team.r2),
    )
    assert agent.status_code == 403 and agent.json()["error"] == "Only board users can vote on AI feedback"
    for body, field in [
        ({"targetType": "issue_comment", "targetId": comment["id"], "vote": "sideways"}, "vote"),
        ({"targetType": "issue", "targetId": comment["id"], "vote": "up"}, "targetType"),
        ({"targetType": "issue_comment", "targetId": "nope", "vote": "up"}, "targetId"),
        (
            {"targetType": "issue_comment", "targetId": comment["id"], "vote": "down", "reason": "x" * 1001},
            "reason",
        ),
    ]:
        response = await client.post(url, json=body)
        assert response.status_code == 400 and field in [d["field"] for d in response.json()["details"]]
    assert (await client.get(url)).json() == []
    foreign = await api.issue(team.other_company["id"], title="Theirs")
    assert (
        await client.get(f"/api/issues/{foreign['id']}/feedback-votes", headers=team.hx())
    ).status_code == 200
    assert (
        await client.get(
            f"/api/issues/{foreign['id']}/feedback-traces",
            headers=run_jwt(app, team.cid, team.a1["id"], team.r1),
        )
    ).status_code == 403
    assert (await client.get(f"/api/companies/{uuid.uuid4()}/feedback-traces")).status_code == 404
    assert (await client.get(f"/api/feedback-traces/{uuid.uuid4()}")).status_code == 404
    assert (await client.get("/api/feedback-traces/nope")).status_code == 404

    # a document revision written by an agent can be voted on too
    agent_headers = run_jwt(app, team.cid, team.a1["id"], team.r1)
    await client.post(
        f"/api/issues/{issue['id']}/checkout",
        json={"agentId": team.a1["id"], "expectedStatuses": ["backlog"]},
        headers=agent_headers,
    )
    put = await client.put(
        f"/api/issues/{issue['id']}/documents/plan",
        json={"title": "Plan", "format": "markdown", "body": "# Plan"},
        headers=agent_headers,
    )
    assert put.status_code in (200, 201), put.text
    revision_id = put.json()["latestRevisionId"]
    voted = await client.post(
        url, json={"targetType": "issue_document_revision", "targetId": revision_id, "vote": "up"}
    )
    assert voted.status_code == 201, voted.text
    trace = (
        await client.get(
            f"/api/issues/{issue['id']}/feedback-traces", params={"targetType": "issue_document_revision"}
        )
    ).json()
    assert (
        trace[0]["targetSummary"]["documentKey"] == "plan"
        and trace[0]["targetSummary"]["revisionNumber"] == 1
    )
    assert trace[0]["targetSummary"]["label"] == "plan rev 1"  # the original's "<key> rev <n>"
    target = (await client.get(f"/api/feedback-traces/{trace[0]['id']}")).json()["payloadSnapshot"]["target"]
    issue_path = f"/{issue['identifier'].split('-')[0]}/issues/{issue['identifier']}"
    assert target == {
        "id": revision_id,
        "type": "issue_document_revision",
        "createdAt": trace[0]["targetSummary"]["createdAt"],
        "issuePath": issue_path,
        "documentId": put.json()["id"],
        "targetPath": f"{issue_path}#document-plan",
        "documentKey": "plan",
        "authorUserId": None,
        "authorAgentId": team.a1["id"],
        "documentTitle": "Plan",
        "createdByRunId": team.r1,
        "revisionNumber": 1,
    }
    # the bundle's surface shows that target with its authors hidden (the original's, checked side by side)
    bundle = (await client.get(f"/api/feedback-traces/{trace[0]['id']}/bundle")).json()
    hidden = {"authorUserId": "***REDACTED***", "authorAgentId": "***REDACTED***"}
    assert bundle["surface"]["target"] == {**target, **hidden}
    assert bundle["surface"]["summary"] == {**trace[0]["targetSummary"], **hidden}


async def test_racing_votes_of_one_user_leave_one_row(live_url, api, factory, app):  # noqa: F811
    company = await api.company("Vote Race")
    agent = await api.agent(company["id"], "Writer")
    run = await factory.heartbeat_run(company["id"], agent["id"])
    issue = await api.issue(company["id"], title="Race")
    async with httpx.AsyncClient(base_url=live_url, timeout=30) as http:
        comment = (
            await http.post(
                f"/api/issues/{issue['id']}/comments",
                json={"body": "hi"},
                headers=run_jwt(app, company["id"], agent["id"], run),
            )
        ).json()

    async def vote(value: str) -> httpx.Response:
        async with httpx.AsyncClient(base_url=live_url, timeout=30) as http:
            return await http.post(
                f"/api/issues/{issue['id']}/feedback-votes",
                json={"targetType": "issue_comment", "targetId": comment["id"], "vote": value},
            )

    results = await asyncio.gather(*(vote(v) for v in ("up", "down") * 3))
    assert all(r.status_code == 201 for r in results), [r.text for r in results]
    async with httpx.AsyncClient(base_url=live_url, timeout=30) as http:
        assert len((await http.get(f"/api/issues/{issue['id']}/feedback-votes")).json()) == 1


async def test_recovery_actions_none_open_and_resolve_checks_its_body(client, team, api):
    issue = await api.issue(team.cid, title="Fine")
    url = f"/api/issues/{issue['id']}/recovery-actions"
    assert (await client.get(url)).json() == {"active": None, "actions": []}
    good = {"outcome": "restored", "sourceIssueStatus": "todo"}
    missing = await client.post(url + "/resolve", json=good)
    assert missing.status_code == 404 and missing.json()["error"] == "Active recovery action not found"
    for body, field in [
        ({"outcome": "fixed", "sourceIssueStatus": "todo"}, "outcome"),
        ({"outcome": "restored"}, "sourceIssueStatus"),
        ({**good, "extra": 1}, "extra"),
        (
            {
                **good,
                "executionReconciliation": {
                    "runId": str(uuid.uuid4()),
                    "providerStopped": True,
                    "actionOutcome": "completed",
                    "outcomeEvidence": "short",
                },
            },
            "executionReconciliation.outcomeEvidence",
        ),
    ]:
        response = await client.post(url + "/resolve", json=body)
        assert response.status_code == 400 and field in [d["field"] for d in response.json()["details"]], (
            response.text
        )
    assert (await client.get(f"/api/issues/{uuid.uuid4()}/recovery-actions")).status_code == 404
    foreign = await api.issue(team.other_company["id"], title="Theirs")
    assert (
        await client.get(f"/api/issues/{foreign['id']}/recovery-actions", headers=team.h1())
    ).status_code == 403
