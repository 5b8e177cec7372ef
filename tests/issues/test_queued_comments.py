"""Queued comments through HTTP against the real PostgreSQL: comments posted while another run holds
the issue wait as deferred wake-ups; the board edits, reorders and discards them (the original's
revision checks and 409s), and what it left is what the agent's next run receives, in its order.
Interrupt cancels the run holding the issue so the queue is delivered at once."""

from __future__ import annotations

import uuid

from paperclip.clock import utcnow

EMPTY = "5e99497165f934b249e2d2ffb7532e93"


async def _held_issue(client, api, factory, db):
    """An issue assigned to an agent whose execution is held by a running run."""
    cid = (await api.company())["id"]
    agent = await api.agent(cid, "Ann", runtimeConfig={"heartbeat": {"enabled": False}})
    issue = await api.issue(cid, title="Busy")
    run_id = await factory.heartbeat_run(cid, agent["id"], status="running")
    db.sql(
        "UPDATE issues SET execution_run_id = %s, assignee_agent_id = %s WHERE id = %s",
        run_id,
        agent["id"],
        issue["id"],
    )
    return cid, agent, issue, run_id


async def _queue(client, issue_id: str) -> dict:
    r = await client.get(f"/api/issues/{issue_id}/queued-comments")
    assert r.status_code == 200, r.text
    return r.json()


async def test_comments_queue_while_a_run_holds_the_issue_and_the_board_edits_them(
    client, api, factory, db, heartbeat
):
    cid, agent, issue, run_id = await _held_issue(client, api, factory, db)
    iid = issue["id"]
    assert (await _queue(client, iid))["revision"] == EMPTY
    bodies = ["first", "second", "third"]
    ids = []
    for body in bodies:
        r = await client.post(f"/api/issues/{iid}/comments", json={"body": body})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    queue = await _queue(client, iid)
    assert (queue["state"], queue["targetRunId"], queue["protocol"]) == ("deferred", run_id, "legacy")
    assert [(e["comment"]["body"], e["position"], e["canEdit"]) for e in queue["entries"]] == [
        ("first", 0, True),
        ("second", 1, True),
        ("third", 2, True),
    ]
    ref = {"queueId": queue["queueId"], "revision": queue["revision"]}

    # edit: a stale revision is the original's 409; the right one changes the comment itself
    r = await client.patch(
        f"/api/issues/{iid}/queued-comments/{ids[0]}", json={**ref, "revision": "x", "body": "y"}
    )
    assert r.status_code == 409
    assert r.json() == {
        "error": "The queued messages changed in another session",
        "code": "queued_comment_revision_conflict",
        "details": {"code": "queued_comment_revision_conflict"},
    }
    r = await client.patch(
        f"/api/issues/{iid}/queued-comments/{ids[0]}", json={**ref, "body": "first, edited"}
    )
    assert r.status_code == 200, r.text
    queue = r.json()
    assert queue["entries"][0]["comment"]["body"] == "first, edited"
    assert queue["revision"] != ref["revision"] and queue["queueId"] == ref["queueId"]
    assert (await client.get(f"/api/issues/{iid}/comments/{ids[0]}")).json()["body"] == "first, edited"
    entry = (await client.get(f"/api/companies/{cid}/activity")).json()[0]
    assert entry["action"] == "issue.queued_comment_edited"
    assert entry["details"] == {
        "queueId": queue["queueId"],
        "revision": queue["revision"],
        "commentId": ids[0],
    }
    ref["revision"] = queue["revision"]
    r = await client.patch(f"/api/issues/{iid}/queued-comments/{uuid.uuid4()}", json={**ref, "body": "z"})
    assert (r.status_code, r.json()["code"]) == (409, "queued_comment_not_pending")

    # reorder: the ids must be exactly the queue's
    r = await client.put(
        f"/api/issues/{iid}/queued-comments/order", json={**ref, "orderedCommentIds": ids[:2]}
    )
    assert (r.status_code, r.json()["code"]) == (409, "queued_comment_order_mismatch")
    r = await client.put(
        f"/api/issues/{iid}/queued-comments/order",
        json={**ref, "orderedCommentIds": [ids[2], ids[0], ids[1]]},
    )
    assert r.status_code == 200, r.text
    assert [e["comment"]["id"] for e in r.json()["entries"]] == [ids[2], ids[0], ids[1]]
    ref["revision"] = r.json()["revision"]
    assert (await client.get(f"/api/companies/{cid}/activity")).json()[0][
        "action"
    ] == "issue.queued_comments_reordered"

    # discard: the comment is gone and will not be delivered
    r = await client.request("DELETE", f"/api/issues/{iid}/queued-comments/{ids[1]}", json=ref)
    assert r.status_code == 200, r.text
    assert [e["comment"]["id"] for e in r.json()["entries"]] == [ids[2], ids[0]]
    assert (await client.get(f"/api/issues/{iid}/comments/{ids[1]}")).status_code == 404
    entry = (await client.get(f"/api/companies/{cid}/activity")).json()[0]
    assert (entry["action"], entry["details"]["commentId"]) == ("issue.queued_comment_discarded", ids[1])
    ref["revision"] = r.json()["revision"]

    # steer: no live session to steer here (the original's answer for legacy runs)
    r = await client.post(
        f"/api/issues/{iid}/queued-comments/{ids[0]}/steer", json={**ref, "targetRunId": run_id}
    )
    assert (r.status_code, r.json()["error"]) == (409, "Steering targets a different or inactive execution")

    # interrupt: another run id changes nothing; the holding run's id cancels it
    r = await client.post(
        f"/api/issues/{iid}/queued-comments/interrupt", json={**ref, "targetRunId": str(uuid.uuid4())}
    )
    assert r.status_code == 200 and (await factory.run(run_id)).status == "running"
    r = await client.post(f"/api/issues/{iid}/queued-comments/interrupt", json={**ref, "targetRunId": run_id})
    assert r.status_code == 200, r.text
    assert (await factory.run(run_id)).status == "cancelled"

    # the run no longer holds the issue: the scheduler turns the queue into the agent's next run
    assert (await heartbeat.tick(utcnow()))["promoted"] == 1
    assert (await _queue(client, iid))["entries"] == []
    rows = db.sql(
        "SELECT context_snapshot FROM heartbeat_runs WHERE agent_id = %s AND status = 'queued'", agent["id"]
    )
    assert [r["context_snapshot"]["wakeCommentIds"] for r in rows] == [[ids[2], ids[0]]]


async def test_bad_input_and_other_companies_are_refused(client, api, factory, db):
    cid, agent, issue, run_id = await _held_issue(client, api, factory, db)
    iid = issue["id"]
    comment = (await client.post(f"/api/issues/{iid}/comments", json={"body": "hello"})).json()
    queue = await _queue(client, iid)
    ref = {"queueId": queue["queueId"], "revision": queue["revision"]}
    for body, field in (
        ({**ref}, "body"),
        ({**ref, "body": ""}, "body"),
        ({"revision": ref["revision"], "body": "x"}, "queueId"),
        ({**ref, "body": 5}, "body"),
    ):
        r = await client.patch(f"/api/issues/{iid}/queued-comments/{comment['id']}", json=body)
        assert r.status_code == 400, (body, r.text)
        assert field in str(r.json()["details"])
    r = await client.put(f"/api/issues/{iid}/queued-comments/order", json={**ref, "orderedCommentIds": "x"})
    assert r.status_code == 400
    other = await api.company("Other")
    headers = await api.agent_auth((await api.agent(other["id"], "Nosy"))["id"])
    r = await client.get(f"/api/issues/{iid}/queued-comments", headers=headers)
    assert r.status_code == 403
    r = await client.patch(
        f"/api/issues/{iid}/queued-comments/{comment['id']}", json={**ref, "body": "x"}, headers=headers
    )
    assert r.status_code == 403
    assert (await _queue(client, iid))["entries"][0]["comment"]["body"] == "hello"
