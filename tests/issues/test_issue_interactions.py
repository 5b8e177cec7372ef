"""Issue-thread interactions through HTTP against the real PostgreSQL: agents ask through run JWTs as in
a heartbeat, the board answers; shapes, statuses and messages as the original's (checked side by side
with it); bad input is a 4xx naming the field with nothing written; two racing answers leave one."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from test_issues_concurrency import live_url  # noqa: F401  (the live-server fixture)

from paperclip.auth.run_jwt import mint_run_jwt
from paperclip.clock import utcnow

WIRE_KEYS = {
    "id",
    "companyId",
    "issueId",
    "kind",
    "status",
    "continuationPolicy",
    "requestedResolverPolicy",
    "effectiveResolverPolicy",
    "resolverPolicyProvenance",
    "effectiveResolverPolicySource",
    "idempotencyKey",
    "originCommentIds",
    "sourceCommentId",
    "sourceIdentityContextId",
    "sourceRunId",
    "title",
    "summary",
    "createdByAgentId",
    "addresseeAgentId",
    "addresseeUserId",
    "createdByUserId",
    "resolvedByAgentId",
    "resolvedByRunId",
    "resolvedByUserId",
    "payload",
    "result",
    "resolvedAt",
    "createdAt",
    "updatedAt",
    "resolverPolicy",
    "legacyResolverPolicyAliases",
}
CONFIRM = {"kind": "request_confirmation", "payload": {"version": 1, "prompt": "Ship it?"}}
QUESTIONS = {
    "kind": "ask_user_questions",
    "title": "Qs",
    "payload": {
        "version": 1,
        "questions": [
            {
                "id": "color",
                "prompt": "Color?",
                "selectionMode": "single",
                "required": True,
                "options": [{"id": "r", "label": "Red"}, {"id": "b", "label": "Blue"}],
            },
            {
                "id": "extras",
                "prompt": "Extras?",
                "selectionMode": "multi",
                "options": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"}],
            },
        ],
    },
}


def run_jwt(app, company_id: str, agent_id: str, run_id: str) -> dict[str, str]:
    token = mint_run_jwt(
        app.state.settings,
        agent_id=uuid.UUID(agent_id),
        company_id=uuid.UUID(company_id),
        run_id=uuid.UUID(run_id),
        adapter_type="process",
        now=utcnow(),
    )
    return {"Authorization": f"Bearer {token}"}


async def _actions(client, issue_id: str) -> list[tuple[str, dict]]:
    return [
        (a["action"], a["details"]) for a in (await client.get(f"/api/issues/{issue_id}/activity")).json()
    ]


async def _create(client, issue_id: str, body: dict, headers: dict | None = None) -> dict:
    response = await client.post(f"/api/issues/{issue_id}/interactions", json=body, headers=headers or {})
    assert response.status_code == 201, response.text
    return response.json()


async def test_agent_asks_for_confirmation_board_accepts_once(client, app, team, api):
    issue = await api.issue(team.cid, title="Release", assigneeAgentId=team.a1["id"], status="todo")
    agent = run_jwt(app, team.cid, team.a1["id"], team.r1)
    created = await _create(client, issue["id"], CONFIRM, agent)
    assert set(created) == WIRE_KEYS
    assert created["status"] == "pending" and created["continuationPolicy"] == "none"
    assert created["payload"] == {
        "version": 1,
        "prompt": "Ship it?",
        "allowDeclineReason": True,
        "supersedeOnUserComment": True,
    }
    assert created["createdByAgentId"] == team.a1["id"] and created["sourceRunId"] == team.r1
    assert created["resolverPolicy"] == "anyone" and created["resolverPolicyProvenance"] == "inherited"
    assert created["legacyResolverPolicyAliases"] == {
        "requested": "board_or_agents",
        "effective": "board_or_agents",
    }

    listed = await client.get(f"/api/issues/{issue['identifier']}/interactions", headers=agent)
    assert listed.status_code == 200 and [i["id"] for i in listed.json()] == [created["id"]]

    url = f"/api/issues/{issue['id']}/interactions/{created['id']}"
    accepted = await client.post(url + "/accept", json={})
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted" and body["result"] == {"version": 1, "outcome": "accepted"}
    assert body["resolvedByUserId"] == "local-board" and body["resolvedAt"]

    for action in ("accept", "reject"):
        again = await client.post(url + "/" + action, json={})
        assert again.status_code == 409
        assert again.json() == {
            "error": "Interaction has already been resolved",
            "code": "interaction_already_resolved",
            "details": {"code": "interaction_already_resolved"},
        }
    actions = await _actions(client, issue["id"])
    made = next(d for a, d in actions if a == "issue.thread_interaction_created")
    assert made["interactionId"] == created["id"] and made["interactionKind"] == "request_confirmation"
    done = next(d for a, d in actions if a == "issue.thread_interaction_accepted")
    assert done["interactionStatus"] == "accepted" and done["resolutionActorKind"] == "user"
    assert [a for a, _ in actions].count("issue.thread_interaction_accepted") == 1


async def test_questions_answered_and_the_assignee_woken(client, app, team, api, factory):
    issue = await api.issue(team.cid, title="Pick", assigneeAgentId=team.a1["id"], status="todo")
    created = await _create(client, issue["id"], QUESTIONS, run_jwt(app, team.cid, team.a1["id"], team.r1))
    assert created["continuationPolicy"] == "wake_assignee"
    assert created["payload"]["supersedeOnUserComment"] is True
    url = f"/api/issues/{issue['id']}/interactions/{created['id']}"

    refused = [
        ({"answers": [{"questionId": "nope", "optionIds": ["r"]}]}, "Unknown questionId: nope"),
        (
            {"answers": [{"questionId": "color", "optionIds": ["zz"]}]},
            "Unknown optionId for question color: zz",
        ),
        (
            {"answers": [{"questionId": "color", "optionIds": ["r", "b"]}]},
            "Question color only allows one answer",
        ),
        ({"answers": [{"questionId": "extras", "optionIds": ["x"]}]}, "Question color requires an answer"),
    ]
    for body, message in refused:
        response = await client.post(url + "/respond", json=body)
        assert response.status_code == 422 and response.json()["error"] == message
    accept = await client.post(url + "/accept", json={})
    assert accept.status_code == 422
    assert accept.json()["error"] == "Interactions of kind ask_user_questions cannot be accepted"

    before = len(await factory.wakeups(team.a1["id"]))
    answer = await client.post(
        url + "/respond",
        json={
            "answers": [
                {"questionId": "color", "optionIds": ["b"]},
                {"questionId": "extras", "optionIds": ["x", "y"], "otherText": "and z"},
            ],
            "summaryMarkdown": "blue",
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "answered"
    assert answer.json()["result"] == {
        "version": 1,
        "answers": [
            {"questionId": "color", "optionIds": ["b"]},
            {"questionId": "extras", "optionIds": ["x", "y"], "otherText": "and z"},
        ],
        "summaryMarkdown": "blue",
    }
    wakeups = await factory.wakeups(team.a1["id"])
    assert len(wakeups) == before + 1
    assert wakeups[-1].reason == "issue_thread_interaction_resolved"
    assert wakeups[-1].payload["interactionId"] == created["id"]
    answered = next(
        d for a, d in await _actions(client, issue["id"]) if a == "issue.thread_interaction_answered"
    )
    assert answered["answeredQuestionCount"] == 2


async def test_checkbox_and_item_verdicts_and_suggested_tasks(client, app, team, api):
    issue = await api.issue(team.cid, title="Plan")
    agent = run_jwt(app, team.cid, team.a1["id"], team.r1)
    box = await _create(
        client,
        issue["id"],
        {
            "kind": "request_checkbox_confirmation",
            "payload": {
                "version": 1,
                "prompt": "Pick",
                "minSelected": 1,
                "maxSelected": 2,
                "defaultSelectedOptionIds": ["x"],
                "options": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"}, {"id": "w", "label": "W"}],
            },
        },
        agent,
    )
    assert box["payload"]["allowDeclineReason"] is True and box["continuationPolicy"] == "wake_assignee"
    url = f"/api/issues/{issue['id']}/interactions/{box['id']}/accept"
    for selection, message in [
        (["z"], "Unknown checkbox confirmation optionId: z"),
        ([], "Select at least 1 checkbox confirmation option(s)"),
        (["x", "y", "w"], "Select no more than 2 checkbox confirmation option(s)"),
    ]:
        response = await client.post(url, json={"selectedOptionIds": selection})
        assert response.status_code == 422 and response.json()["error"] == message
    dup = await client.post(url, json={"selectedOptionIds": ["x", "x"]})
    assert dup.status_code == 400
    ok = await client.post(url, json={"selectedOptionIds": ["y", "x"]})
    assert ok.json()["result"] == {"version": 1, "outcome": "accepted", "selectedOptionIds": ["x", "y"]}

    verdicts = await _create(
        client,
        issue["id"],
        {
            "kind": "request_item_verdicts",
            "payload": {
                "version": 1,
                "prompt": "Judge",
                "items": [{"id": "i1", "label": "1"}, {"id": "i2", "label": "2"}],
            },
        },
        agent,
    )
    assert verdicts["payload"]["verdicts"] == ["approve", "reject"]
    vurl = f"/api/issues/{issue['id']}/interactions/{verdicts['id']}/verdicts"
    for given, message in [
        ([{"id": "i1", "verdict": "reject"}], "A reason is required when verdict is reject"),
        ([{"id": "i1", "verdict": "defer"}], "Verdict defer is not enabled for this item verdict request"),
        ([{"id": "i9", "verdict": "approve"}], "Unknown item verdict id: i9"),
    ]:
        response = await client.post(vurl, json={"verdicts": given})
        assert response.status_code == 422 and response.json()["error"] == message
    partial = (await client.post(vurl, json={"verdicts": [{"id": "i1", "verdict": "approve"}]})).json()
    assert partial["status"] == "pending" and partial["result"]["complete"] is False
    whole = (
        await client.post(vurl, json={"verdicts": [{"id": "i2", "verdict": "reject", "reason": "bad"}]})
    ).json()
    assert whole["status"] == "answered" and whole["result"]["complete"] is True
    assert [(i["id"], i["verdict"], i.get("reason")) for i in whole["result"]["items"]] == [
        ("i1", "approve", None),
        ("i2", "reject", "bad"),
    ]

    tasks = await _create(
        client,
        issue["id"],
        {
            "kind": "suggest_tasks",
            "payload": {
                "version": 1,
                "tasks": [
                    {"clientKey": "b", "parentClientKey": "a", "title": "Task B"},
                    {"clientKey": "a", "title": "Task A", "priority": "high"},
                    {"clientKey": "c", "title": "Task C"},
                ],
            },
        },
        agent,
    )
    turl = f"/api/issues/{issue['id']}/interactions/{tasks['id']}/accept"
    orphan = await client.post(turl, json={"selectedClientKeys": ["b"]})
    assert orphan.status_code == 422
    assert orphan.json()["error"] == "Suggested task b requires its parent a to also be selected"
    accepted = await client.post(turl, json={"selectedClientKeys": ["a", "b"]})
    assert accepted.status_code == 200, accepted.text
    result = accepted.json()["result"]
    assert result["skippedClientKeys"] == ["c"]
    created = {t["clientKey"]: t for t in result["createdTasks"]}
    assert (
        created["a"]["parentIssueId"] == issue["id"]
        and created["b"]["parentIssueId"] == created["a"]["issueId"]
    )
    child = (await client.get(f"/api/issues/{created['a']['issueId']}")).json()
    assert child["status"] == "todo" and child["priority"] == "high" and child["parentId"] == issue["id"]


async def test_resolver_policies_and_board_only_closings(client, app, team, api):
    issue = await api.issue(team.cid, title="Policies")
    a1 = run_jwt(app, team.cid, team.a1["id"], team.r1)
    a2 = run_jwt(app, team.cid, team.a2["id"], team.r2)
    not_creator = await _create(client, issue["id"], {**CONFIRM, "resolverPolicy": "not_creator"}, a1)
    assert not_creator["resolverPolicyProvenance"] == "explicit"
    assert not_creator["legacyResolverPolicyAliases"] == {"requested": None, "effective": None}
    url = f"/api/issues/{issue['id']}/interactions/{not_creator['id']}"
    own = await client.post(url + "/accept", json={}, headers=a1)
    assert own.status_code == 403 and own.json()["code"] == "interaction_creator_excluded"
    other = await client.post(url + "/accept", json={}, headers=a2)
    assert other.status_code == 200 and other.json()["resolvedByAgentId"] == team.a2["id"]
    assert other.json()["resolvedByRunId"] == team.r2

    human = await _create(client, issue["id"], {**CONFIRM, "resolverPolicy": "board_only"}, a1)
    assert human["resolverPolicy"] == "human_only"
    assert human["legacyResolverPolicyAliases"] == {"requested": "board_only", "effective": "board_only"}
    url = f"/api/issues/{issue['id']}/interactions/{human['id']}"
    refused = await client.post(url + "/reject", json={}, headers=a2)
    assert (
        refused.status_code == 403
        and refused.json()["error"] == "This issue-thread interaction is human-only"
    )
    cancel_agent = await client.post(url + "/withdraw", json={}, headers=a1)
    assert cancel_agent.status_code == 403
    cancel_kind = await client.post(url + "/cancel", json={})
    assert cancel_kind.status_code == 422
    assert cancel_kind.json()["error"] == "Only ask_user_questions interactions can be cancelled"
    withdrawn = await client.post(url + "/withdraw", json={"reason": "w"})
    assert withdrawn.json()["status"] == "cancelled"
    assert withdrawn.json()["result"] == {"version": 1, "outcome": "withdrawn", "reason": "w"}

    needs_reason = await _create(
        client,
        issue["id"],
        {
            "kind": "request_confirmation",
            "payload": {"version": 1, "prompt": "?", "rejectRequiresReason": True},
        },
        a1,
    )
    url = f"/api/issues/{issue['id']}/interactions/{needs_reason['id']}"
    bare = await client.post(url + "/reject", json={"reason": "  "})
    assert (
        bare.status_code == 422
        and bare.json()["error"] == "A decline reason is required for this confirmation"
    )
    assert (await client.post(url + "/reject", json={"reason": "no"})).json()["result"]["reason"] == "no"

    questions = await _create(client, issue["id"], QUESTIONS, a1)
    skipped = await client.post(
        f"/api/issues/{issue['id']}/interactions/{questions['id']}/skip", json={"reason": "s"}
    )
    assert skipped.json()["result"] == {
        "version": 1,
        "outcome": "skipped",
        "reason": "s",
        "answers": [],
        "cancelled": True,
        "cancellationReason": "s",
        "summaryMarkdown": None,
    }


async def test_bad_input_is_refused_naming_the_field_and_writes_nothing(client, app, team, api):
    issue = await api.issue(team.cid, title="Bad")
    foreign = await api.issue(team.other_company["id"], title="Theirs")
    a1 = run_jwt(app, team.cid, team.a1["id"], team.r1)
    url = f"/api/issues/{issue['id']}/interactions"
    cases = [
        ({"kind": "bogus", "payload": {}}, "kind"),
        ({"kind": "request_confirmation", "payload": {"version": 1}}, "payload.prompt"),
        (
            {"kind": "request_confirmation", "payload": {"version": 2, "prompt": "x"}},
            "payload.version",
        ),
        ({**CONFIRM, "resolverPolicy": "nope"}, "resolverPolicy"),
        ({**CONFIRM, "addresseeAgentId": "not-a-uuid"}, "addresseeAgentId"),
        (
            {"kind": "ask_user_questions", "payload": {"version": 1, "questions": []}},
            "payload.questions",
        ),
        ({"kind": "request_confirmation", "payload": "text"}, "payload"),
        ({**CONFIRM, "title": "t" * 241}, "title"),
    ]
    for body, field in cases:
        response = await client.post(url, json=body)
        assert response.status_code == 400, (body, response.text)
        fields = [d["field"] for d in response.json()["details"]]
        assert any(f.endswith(field) for f in fields), (field, fields)
    duplicate_options = {
        "kind": "ask_user_questions",
        "payload": {
            "version": 1,
            "questions": [
                {
                    "id": "q",
                    "prompt": "p",
                    "selectionMode": "single",
                    "options": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}],
                }
            ],
        },
    }
    response = await client.post(url, json=duplicate_options)
    assert response.status_code == 400 and "unique" in response.text
    other_agent = await client.post(url, json={**CONFIRM, "addresseeAgentId": team.x["id"]})
    assert other_agent.status_code == 422
    assert other_agent.json()["error"] == "addresseeAgentId must belong to the same company"
    assert (await client.post(url, json={**CONFIRM, "sourceCommentId": str(uuid.uuid4())})).status_code == 422
    # unknown issue, other company's issue, unknown / malformed interaction ids
    assert (await client.post(f"/api/issues/{uuid.uuid4()}/interactions", json=CONFIRM)).status_code == 404
    assert (await client.get("/api/issues/not-an-issue/interactions")).status_code == 404
    assert (
        await client.post(f"/api/issues/{foreign['id']}/interactions", json=CONFIRM, headers=a1)
    ).status_code == 403
    assert (await client.get(f"/api/issues/{foreign['id']}/interactions", headers=a1)).status_code == 403
    for ref in (str(uuid.uuid4()), "nope"):
        missing = await client.post(f"{url}/{ref}/accept", json={})
        assert missing.status_code == 404 and missing.json()["code"] == "interaction_not_found"
    # an agent without its run is refused, as the original does
    keyed = await client.post(url, json=CONFIRM, headers={"Authorization": f"Bearer {team.k1}"})
    assert keyed.status_code == 401 and keyed.json()["error"] == "Agent run id required"
    assert (await client.get(url)).json() == []

    # an interaction of another issue is not found through this one
    theirs = await _create(client, foreign["id"], CONFIRM)
    assert (await client.post(f"{url}/{theirs['id']}/accept", json={})).status_code == 404
    # wrong types in the answers: 400 naming the field, the interaction still pending
    mine = await _create(client, issue["id"], QUESTIONS, a1)
    wrong = await client.post(
        f"{url}/{mine['id']}/respond", json={"answers": [{"questionId": "color", "optionIds": "r"}]}
    )
    assert wrong.status_code == 400 and wrong.json()["details"][0]["field"] == "answers.0.optionIds"
    assert (await client.post(f"{url}/{mine['id']}/respond", json={})).status_code == 400
    still = (await client.get(url)).json()
    assert [i["status"] for i in still] == ["pending"]
    # a suggested task that cannot be created (another company's agent) leaves nothing behind
    tasks = await _create(
        client,
        issue["id"],
        {
            "kind": "suggest_tasks",
            "payload": {
                "version": 1,
                "tasks": [
                    {"clientKey": "a", "title": "A"},
                    {"clientKey": "b", "title": "B", "assigneeAgentId": team.x["id"]},
                ],
            },
        },
        a1,
    )
    count = len((await client.get(f"/api/companies/{team.cid}/issues")).json())
    refused = await client.post(f"{url}/{tasks['id']}/accept", json={})
    assert 400 <= refused.status_code < 500, refused.text
    assert len((await client.get(f"/api/companies/{team.cid}/issues")).json()) == count
    assert next(i for i in (await client.get(url)).json() if i["id"] == tasks["id"])["status"] == "pending"


async def test_idempotency_key_returns_the_first_and_refuses_a_different_request(client, team, api):
    issue = await api.issue(team.cid, title="Idem")
    url = f"/api/issues/{issue['id']}/interactions"
    first = await _create(client, issue["id"], {**CONFIRM, "idempotencyKey": "k1"})
    again = await _create(client, issue["id"], {**CONFIRM, "idempotencyKey": "k1"})
    assert again["id"] == first["id"]
    different = await client.post(
        url,
        json={
            "kind": "request_confirmation",
            "idempotencyKey": "k1",
            "payload": {"version": 1, "prompt": "other"},
        },
    )
    assert different.status_code == 409
    assert different.json() == {
        "error": "Interaction idempotency key already exists for a different request",
        "details": {"idempotencyKey": "k1"},
    }
    assert len((await client.get(url)).json()) == 1


async def test_two_racing_answers_leave_one(live_url, api):  # noqa: F811
    company = await api.company("Race Q")
    issue = await api.issue(company["id"], title="Race")
    async with httpx.AsyncClient(base_url=live_url, timeout=30) as http:
        created = (await http.post(f"/api/issues/{issue['id']}/interactions", json=QUESTIONS)).json()
    url = f"/api/issues/{issue['id']}/interactions/{created['id']}"

    async def answer(option: str) -> httpx.Response:
        async with httpx.AsyncClient(
            base_url=live_url, timeout=30
        ) as http:  # own connection, own transaction
            return await http.post(
                url + "/respond", json={"answers": [{"questionId": "color", "optionIds": [option]}]}
            )

    for _ in range(3):  # three rounds of racers on fresh interactions
        results = await asyncio.gather(answer("r"), answer("b"), answer("r"), answer("b"))
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409, 409, 409], [r.text for r in results]
        winner = next(r.json() for r in results if r.status_code == 200)
        async with httpx.AsyncClient(base_url=live_url, timeout=30) as http:
            stored = [
                i
                for i in (await http.get(f"/api/issues/{issue['id']}/interactions")).json()
                if i["id"] == created["id"]
            ]
            assert stored[0]["result"] == winner["result"]
            activity = (await http.get(f"/api/issues/{issue['id']}/activity")).json()
            assert (
                sum(
                    1
                    for a in activity
                    if a["action"] == "issue.thread_interaction_answered"
                    and a["details"]["interactionId"] == created["id"]
                )
                == 1
            )
            created = (await http.post(f"/api/issues/{issue['id']}/interactions", json=QUESTIONS)).json()
        url = f"/api/issues/{issue['id']}/interactions/{created['id']}"


async def test_a_board_comment_supersedes_pending_questions_an_agent_comment_does_not(client, app, team, api):
    issue = await api.issue(team.cid, title="Thread")
    agent = run_jwt(app, team.cid, team.a1["id"], team.r1)
    questions = await _create(client, issue["id"], QUESTIONS, agent)
    kept = await _create(
        client,
        issue["id"],
        {**QUESTIONS, "payload": {**QUESTIONS["payload"], "supersedeOnUserComment": False}},
        agent,
    )
    confirm = await _create(client, issue["id"], CONFIRM, agent)
    verdicts = await _create(
        client,
        issue["id"],
        {
            "kind": "request_item_verdicts",
            "payload": {"version": 1, "prompt": "Judge", "items": [{"id": "i1", "label": "1"}]},
        },
        agent,
    )
    tasks = await _create(
        client,
        issue["id"],
        {"kind": "suggest_tasks", "payload": {"version": 1, "tasks": [{"clientKey": "a", "title": "A"}]}},
        agent,
    )
    url = f"/api/issues/{issue['id']}/comments"
    assert (await client.post(url, json={"body": "agent note"}, headers=agent)).status_code == 201
    statuses = {
        i["id"]: i["status"] for i in (await client.get(f"/api/issues/{issue['id']}/interactions")).json()
    }
    assert set(statuses.values()) == {"pending"}

    comment = (await client.post(url, json={"body": "Board says hi"})).json()
    after = {i["id"]: i for i in (await client.get(f"/api/issues/{issue['id']}/interactions")).json()}
    assert {k: after[k]["status"] for k in after} == {
        questions["id"]: "expired",
        kept["id"]: "pending",
        confirm["id"]: "expired",
        verdicts["id"]: "expired",
        tasks["id"]: "pending",
    }
    assert after[questions["id"]]["result"] == {
        "version": 1,
        "answers": [],
        "expirationReason": "superseded_by_comment",
        "commentId": comment["id"],
        "summaryMarkdown": None,
    }
    assert after[confirm["id"]]["result"] == {
        "version": 1,
        "outcome": "superseded_by_comment",
        "commentId": comment["id"],
    }
    assert after[verdicts["id"]]["result"] == {
        "version": 1,
        "outcome": "superseded_by_comment",
        "complete": False,
        "items": [],
        "commentId": comment["id"],
    }
    assert after[confirm["id"]]["resolvedByUserId"] == "local-board" and after[confirm["id"]]["resolvedAt"]
    expired = [
        d for action, d in await _actions(client, issue["id"]) if action == "issue.thread_interaction_expired"
    ]
    assert sorted(d["interactionId"] for d in expired) == sorted(
        [questions["id"], confirm["id"], verdicts["id"]]
    )
    assert {d["interactionStatus"] for d in expired} == {"expired"}
    # an expired interaction is resolved: answering it now is the usual 409
    late = await client.post(f"/api/issues/{issue['id']}/interactions/{confirm['id']}/accept", json={})
    assert late.status_code == 409


async def test_tool_actions_and_secret_proposals_are_server_owned(client, app, team, api):
    issue = await api.issue(team.cid, title="Tools")
    agent = run_jwt(app, team.cid, team.a1["id"], team.r1)
    url = f"/api/issues/{issue['id']}/interactions"
    tool = {
        "version": 1,
        "actionRequestId": str(uuid.uuid4()),
        "invocationId": str(uuid.uuid4()),
        "toolName": "t",
        "toolDisplayName": "T",
        "connectionId": None,
        "applicationId": None,
        "appDisplayName": None,
        "risk": "write",
        "previewMarkdown": "do it",
        "argumentsSummaryJson": "{}",
        "argumentsHash": "h",
        "expiresAt": "2030-01-01T00:00:00Z",
    }
    proposal = {
        "version": 1,
        "proposalId": str(uuid.uuid4()),
        "sourceSecretLabel": "x",
        "configPath": "env.X",
        "targetAgentId": str(uuid.uuid4()),
        "targetAgentName": "A",
        "justification": "j",
        "expiresAt": "2030-01-01T00:00:00Z",
    }
    for key, value in (("toolAction", tool), ("secretProposal", proposal)):
        body = {"kind": "request_confirmation", "payload": {**CONFIRM["payload"], key: value}}
        refused = await client.post(url, json=body, headers=agent)
        assert refused.status_code == 422 and refused.json()["error"] == (
            f"payload.{key} is server-owned metadata and cannot be supplied when creating an interaction"
        )
        malformed = await client.post(
            url,
            json={"kind": "request_confirmation", "payload": {**CONFIRM["payload"], key: {}}},
            headers=agent,
        )
        assert malformed.status_code == 400, malformed.text
        assert any(f"payload.{key}." in d["field"] for d in malformed.json()["details"]), malformed.text
    assert (await client.get(url)).json() == []
