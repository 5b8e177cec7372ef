"""Routine CRUD, variables and manual runs at the original's routes and shapes."""

from __future__ import annotations

import uuid


async def test_create_get_list_patch_with_activity(api, client, company):
    cid = company["id"]
    r = await client.post(f"/api/companies/{cid}/routines", json={})
    assert r.status_code == 400 and r.json()["error"] == "Validation error"
    routine = await api.routine(
        company["id"],
        assigneeAgentId=company["agent"],
        title="Review {{topic}}",
        description="Look at {{ topic }} and {{area}}",
        variables=[{"name": "topic", "defaultValue": "sales"}, {"name": "unused"}],
    )
    assert (
        routine["status"],
        routine["priority"],
        routine["concurrencyPolicy"],
        routine["catchUpPolicy"],
    ) == ("active", "medium", "coalesce_if_active", "skip_missed")
    assert [v["name"] for v in routine["variables"]] == ["topic", "area"]
    assert routine["variables"][0] == {
        "name": "topic",
        "type": "text",
        "label": None,
        "options": [],
        "required": True,
        "defaultValue": "sales",
    }
    assert routine["createdByUserId"] == "local-board" and routine["originKind"] == "manual"
    detail = (await client.get(f"/api/routines/{routine['id']}")).json()
    assert (
        detail["assignee"]["id"] == company["agent"]
        and detail["triggers"] == []
        and detail["recentRuns"] == []
    )
    listed = (await client.get(f"/api/companies/{cid}/routines")).json()
    assert [x["id"] for x in listed] == [routine["id"]] and listed[0]["lastRun"] is None
    assert (await client.get(f"/api/companies/{cid}/routines?projectId={uuid.uuid4()}")).json() == []
    assert (await client.get(f"/api/companies/{cid}/routines?projectId=nope")).status_code == 422
    r = await client.patch(f"/api/routines/{routine['id']}", json={"status": "paused", "priority": "high"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["priority"]) == ("paused", "high")
    r = await client.patch(f"/api/routines/{routine['id']}", json={"status": "zzz"})
    assert r.status_code == 400
    r = await client.post(f"/api/companies/{cid}/routines", json={"title": "x", "triggers": []})
    assert r.status_code == 400
    assert (await client.get(f"/api/routines/{uuid.uuid4()}")).status_code == 404
    assert (await client.get("/api/routines/not-a-uuid")).status_code == 404
    actions = [
        a["action"] for a in (await client.get(f"/api/companies/{cid}/activity?entityType=routine")).json()
    ]
    assert actions == ["routine.updated", "routine.created"]


async def test_without_an_agent_a_routine_is_paused_and_cannot_be_activated(client, company):
    r = await client.post(f"/api/companies/{company['id']}/routines", json={"title": "Nobody"})
    assert r.status_code == 201 and r.json()["status"] == "paused"
    r2 = await client.patch(f"/api/routines/{r.json()['id']}", json={"status": "active"})
    assert r2.status_code == 422 and r2.json()["error"] == "Default agent required"
    r3 = await client.post(
        f"/api/companies/{company['id']}/routines", json={"title": "x", "assigneeAgentId": str(uuid.uuid4())}
    )
    assert r3.status_code == 404 and r3.json()["error"] == "Assignee agent not found"


async def test_manual_run_creates_an_interpolated_issue_and_wakes_the_assignee(api, client, company):
    routine = await api.routine(
        company["id"],
        assigneeAgentId=company["agent"],
        title="Review {{topic}}",
        description="Look at {{topic}} now",
    )
    r = await client.post(f"/api/routines/{routine['id']}/run", json={})
    assert r.status_code == 422 and r.json()["error"] == "Missing routine variables: topic"
    r = await client.post(f"/api/routines/{routine['id']}/run", json={"variables": {"topic": "sales"}})
    assert r.status_code == 202, r.text
    run = r.json()
    assert (run["status"], run["source"], run["triggerId"]) == ("issue_created", "manual", None)
    issue = (await client.get(f"/api/issues/{run['linkedIssueId']}")).json()
    assert (issue["title"], issue["description"], issue["status"]) == (
        "Review sales",
        "Look at sales now",
        "todo",
    )
    assert (issue["originKind"], issue["originId"], issue["originRunId"]) == (
        "routine_execution",
        routine["id"],
        run["id"],
    )
    assert issue["assigneeAgentId"] == company["agent"]
    runs = (await client.get(f"/api/issues/{issue['id']}/runs")).json()
    assert [x["agentId"] for x in runs] == [company["agent"]], runs  # woken like any assignment
    history = (await client.get(f"/api/routines/{routine['id']}/runs?limit=50")).json()
    assert history[0]["linkedIssue"]["identifier"] == issue["identifier"] and history[0]["trigger"] is None


async def test_coalesce_skip_and_always_enqueue(api, client, company):
    coalescing = await api.routine(company["id"], assigneeAgentId=company["agent"], title="C")
    first = (await client.post(f"/api/routines/{coalescing['id']}/run", json={})).json()
    second = (await client.post(f"/api/routines/{coalescing['id']}/run", json={})).json()
    assert first["status"] == "issue_created"
    assert (second["status"], second["linkedIssueId"], second["coalescedIntoRunId"]) == (
        "coalesced",
        first["linkedIssueId"],
        first["id"],
    )
    skipping = await api.routine(
        company["id"], assigneeAgentId=company["agent"], title="S", concurrencyPolicy="skip_if_active"
    )
    first = (await client.post(f"/api/routines/{skipping['id']}/run", json={})).json()
    second = (await client.post(f"/api/routines/{skipping['id']}/run", json={})).json()
    assert (second["status"], second["linkedIssueId"], second["coalescedIntoRunId"]) == (
        "skipped",
        first["linkedIssueId"],
        None,
    )
    # once the open issue is done, the next run makes a new one
    r = await client.patch(f"/api/issues/{first['linkedIssueId']}", json={"status": "done"})
    assert r.status_code == 200, r.text
    third = (await client.post(f"/api/routines/{skipping['id']}/run", json={})).json()
    assert third["status"] == "issue_created" and third["linkedIssueId"] != first["linkedIssueId"]
    always = await api.routine(
        company["id"], assigneeAgentId=company["agent"], title="A", concurrencyPolicy="always_enqueue"
    )
    ids = {
        (await client.post(f"/api/routines/{always['id']}/run", json={})).json()["linkedIssueId"]
        for _ in range(3)
    }
    assert len(ids) == 3


async def test_idempotency_key_answers_the_same_run(api, client, company):
    routine = await api.routine(
        company["id"], assigneeAgentId=company["agent"], concurrencyPolicy="always_enqueue"
    )
    a = (
        await client.post(
            f"/api/routines/{routine['id']}/run", json={"idempotencyKey": "k1", "source": "api"}
        )
    ).json()
    b = (
        await client.post(
            f"/api/routines/{routine['id']}/run", json={"idempotencyKey": "k1", "source": "api"}
        )
    ).json()
    c = (
        await client.post(
            f"/api/routines/{routine['id']}/run", json={"idempotencyKey": "k2", "source": "api"}
        )
    ).json()
    assert (
        a["id"] == b["id"]
        and a["linkedIssueId"] == b["linkedIssueId"]
        and c["linkedIssueId"] != a["linkedIssueId"]
    )
    issues = (await client.get(f"/api/companies/{company['id']}/issues?originKind=routine_execution")).json()
    assert len(issues) == 2
    r = await client.post(f"/api/routines/{routine['id']}/run", json={"source": "webhook"})
    assert r.status_code == 400


async def test_archived_routine_refuses_runs(api, client, company):
    routine = await api.routine(company["id"], assigneeAgentId=company["agent"])
    await client.patch(f"/api/routines/{routine['id']}", json={"status": "archived"})
    r = await client.post(f"/api/routines/{routine['id']}/run", json={})
    assert r.status_code == 409 and r.json()["error"] == "Routine is archived"


async def test_agents_read_all_routines_and_manage_only_their_own(api, client, company):
    other = (
        await client.post(
            f"/api/companies/{company['id']}/agents",
            json={
                "name": "Other",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            },
        )
    ).json()
    token = (await client.post(f"/api/agents/{company['agent']}/keys", json={"name": "k"})).json()["token"]
    me = {"Authorization": f"Bearer {token}"}
    theirs = await api.routine(company["id"], title="Theirs", assigneeAgentId=other["id"])
    r = await client.post(
        f"/api/companies/{company['id']}/routines",
        headers=me,
        json={"title": "For someone else", "assigneeAgentId": other["id"]},
    )
    assert r.status_code == 403
    mine = await client.post(
        f"/api/companies/{company['id']}/routines",
        headers=me,
        json={"title": "Mine", "assigneeAgentId": company["agent"]},
    )
    assert mine.status_code == 201 and mine.json()["createdByAgentId"] == company["agent"]
    listed = (await client.get(f"/api/companies/{company['id']}/routines", headers=me)).json()
    assert {x["title"] for x in listed} == {"Theirs", "Mine"}
    assert (
        await client.patch(f"/api/routines/{theirs['id']}", headers=me, json={"priority": "low"})
    ).status_code == 403
    assert (await client.post(f"/api/routines/{theirs['id']}/run", headers=me, json={})).status_code == 403
    assert (
        await client.post(f"/api/routines/{theirs['id']}/triggers", headers=me, json={"kind": "api"})
    ).status_code == 403
    r = await client.patch(
        f"/api/routines/{mine.json()['id']}", headers=me, json={"assigneeAgentId": other["id"]}
    )
    assert r.status_code == 403
    r = await client.post(f"/api/routines/{mine.json()['id']}/run", headers=me, json={})
    assert r.status_code == 202 and r.json()["status"] == "issue_created"
    # another company's agent sees nothing of this one
    foreign = (await client.post("/api/companies", json={"name": "Foreign"})).json()["id"]
    fa = (await client.post(f"/api/companies/{foreign}/agents", json={"name": "F"})).json()
    ftoken = (await client.post(f"/api/agents/{fa['id']}/keys", json={"name": "k"})).json()["token"]
    r = await client.get(f"/api/routines/{theirs['id']}", headers={"Authorization": f"Bearer {ftoken}"})
    assert r.status_code == 403
