"""Tree control and tree holds through HTTP against the real PostgreSQL: a pause hold blocks checkouts,
comments and wake-ups of every issue under its root (including ones created after it, as the
original), resume/release lift it; cancel/restore change and put back the subtree's statuses.
Shapes, statuses and messages as the original's (checked side by side with it)."""

from __future__ import annotations

import uuid

from test_issue_interactions import run_jwt

HOLD_KEYS = {
    "id",
    "companyId",
    "rootIssueId",
    "mode",
    "status",
    "reason",
    "releasePolicy",
    "createdByActorType",
    "createdByAgentId",
    "createdByUserId",
    "createdByRunId",
    "releasedAt",
    "releasedByActorType",
    "releasedByAgentId",
    "releasedByUserId",
    "releasedByRunId",
    "releaseReason",
    "releaseMetadata",
    "createdAt",
    "updatedAt",
}


async def _tree(api, cid: str, agent_id: str) -> tuple[dict, dict, dict]:
    root = await api.issue(cid, title="Root", status="todo")
    child = await api.issue(cid, title="Child", parentId=root["id"], status="todo", assigneeAgentId=agent_id)
    done = await api.issue(cid, title="Done kid", parentId=root["id"], status="done")
    return root, child, done


async def _hold(client, issue_id: str, mode: str, expect: int = 201, **extra) -> dict:
    response = await client.post(f"/api/issues/{issue_id}/tree-holds", json={"mode": mode, **extra})
    assert response.status_code == expect, response.text
    return response.json()


async def _checkout(client, issue_id: str, agent_id: str, headers: dict, statuses=("todo",)):
    return await client.post(
        f"/api/issues/{issue_id}/checkout",
        json={"agentId": agent_id, "expectedStatuses": list(statuses)},
        headers=headers,
    )


async def test_pause_hold_blocks_checkout_comments_and_wakes_of_the_subtree(client, app, team, api, factory):
    root, child, _done = await _tree(api, team.cid, team.a1["id"])
    agent = run_jwt(app, team.cid, team.a1["id"], team.r1)
    assert (await client.get(f"/api/issues/{child['id']}/tree-control/state")).json() == {
        "activePauseHold": None
    }

    made = await _hold(client, root["id"], "pause", reason="hold on")
    hold = made["hold"]
    assert set(hold) == HOLD_KEYS | {"members"}
    assert hold["status"] == "active" and hold["releasePolicy"] == {"strategy": "manual"}
    assert hold["createdByActorType"] == "user" and hold["createdByUserId"] == "local-board"
    assert [(m["issueTitle"], m["depth"], m["skipped"], m["skipReason"]) for m in hold["members"]] == [
        ("Root", 0, False, None),
        ("Child", 1, False, None),
        ("Done kid", 1, True, "terminal_status"),
    ]
    assert made["preview"]["totals"] == {
        "totalIssues": 3,
        "affectedIssues": 2,
        "skippedIssues": 1,
        "activeRuns": 0,
        "queuedRuns": 0,
        "affectedAgents": 1,
    }
    state = (await client.get(f"/api/issues/{child['identifier']}/tree-control/state", headers=agent)).json()
    assert state == {
        "activePauseHold": {
            "holdId": hold["id"],
            "rootIssueId": root["id"],
            "issueId": child["id"],
            "isRoot": False,
            "mode": "pause",
            "reason": "hold on",
            "releasePolicy": {"strategy": "manual"},
        }
    }

    blocked = await _checkout(client, child["id"], team.a1["id"], agent)
    assert blocked.status_code == 409
    assert blocked.json()["error"] == "Issue checkout blocked by active subtree pause hold"
    assert (
        blocked.json()["details"]["holdId"] == hold["id"]
        and blocked.json()["details"]["rootIssueId"] == root["id"]
    )
    # an issue created under the paused root after the hold is held too (the original does the same)
    late = await api.issue(team.cid, title="Late", parentId=root["id"], status="todo")
    assert (await _checkout(client, late["id"], team.a1["id"], agent)).status_code == 409
    assert (await client.get(f"/api/issues/{late['id']}")).json()["status"] == "todo"  # nothing changed

    comment = await client.post(f"/api/issues/{child['id']}/comments", json={"body": "hello @Alpha Bot"})
    assert comment.status_code == 409
    assert comment.json()["error"] == "Task is paused. Resume it before sending a message."
    reopening = await client.post(f"/api/issues/{child['id']}/comments", json={"body": "x", "reopen": True})
    assert reopening.status_code == 409
    assert (await client.get(f"/api/issues/{child['id']}/comments")).json() == []

    before = len(await factory.wakeups(team.a1["id"]))
    woken = await client.post(
        f"/api/agents/{team.a1['id']}/wakeup",
        json={"source": "on_demand", "reason": "x", "payload": {"issueId": child["id"]}},
    )
    assert woken.status_code == 202
    assert woken.json()["status"] == "skipped" and woken.json()["issueId"] == child["id"]
    # assigning a held issue does not wake its new assignee either
    await client.patch(f"/api/issues/{late['id']}", json={"assigneeAgentId": team.a2["id"]})
    wakes = await factory.wakeups(team.a1["id"])
    assert (
        len(wakes) == before + 1 and wakes[-1].status == "skipped" and wakes[-1].error == "issue_tree_paused"
    )
    assert all(w.status == "skipped" for w in await factory.wakeups(team.a2["id"]))

    # an issue outside the tree is untouched
    free = await api.issue(team.cid, title="Free", status="todo")
    assert (await _checkout(client, free["id"], team.a1["id"], agent)).status_code == 200

    released = await client.post(
        f"/api/issues/{root['id']}/tree-holds/{hold['id']}/release", json={"reason": "go"}
    )
    assert released.status_code == 200
    assert released.json()["status"] == "released" and released.json()["releaseReason"] == "go"
    again = await client.post(f"/api/issues/{root['id']}/tree-holds/{hold['id']}/release", json={})
    assert again.status_code == 409 and again.json()["error"] == "Issue tree hold is already released"
    assert (await client.get(f"/api/issues/{child['id']}/tree-control/state")).json() == {
        "activePauseHold": None
    }
    fresh_run = await factory.heartbeat_run(team.cid, team.a1["id"])
    ok = await _checkout(client, child["id"], team.a1["id"], run_jwt(app, team.cid, team.a1["id"], fresh_run))
    assert ok.status_code == 200, ok.text
    assert (
        await client.post(f"/api/issues/{child['id']}/comments", json={"body": "back"})
    ).status_code == 201

    actions = [a["action"] for a in (await client.get(f"/api/issues/{root['id']}/activity")).json()]
    assert "issue.tree_hold_created" in actions and "issue.tree_hold_released" in actions


async def test_resume_releases_the_pauses_inside_and_lists_filter(client, team, api):
    root, child, _done = await _tree(api, team.cid, team.a1["id"])
    inner = await _hold(client, child["id"], "pause")
    preview = (
        await client.post(f"/api/issues/{root['id']}/tree-control/preview", json={"mode": "pause"})
    ).json()
    assert [(i["title"], i["skipReason"]) for i in preview["skippedIssues"]] == [
        ("Child", "already_held"),
        ("Done kid", "terminal_status"),
    ]
    assert next(i for i in preview["issues"] if i["title"] == "Child")["activeHoldIds"] == [
        inner["hold"]["id"]
    ]

    resumed = await _hold(client, root["id"], "resume", expect=200, reason="go")
    assert resumed["resumedPauseHoldIds"] == [inner["hold"]["id"]]
    assert resumed["hold"]["status"] == "released" and resumed["hold"]["mode"] == "resume"
    # the resume hold records what it released, with the original's reason when none is given
    assert resumed["hold"]["releaseReason"] == "go"
    assert resumed["hold"]["releaseMetadata"] == {
        "resumeMode": "subtree",
        "resumedPauseHoldIds": [inner["hold"]["id"]],
    }
    child_holds = (await client.get(f"/api/issues/{child['id']}/tree-holds")).json()
    assert len(child_holds) == 1 and "members" not in child_holds[0]
    assert child_holds[0]["releaseReason"] == "go"
    assert child_holds[0]["status"] == "released" and child_holds[0]["releaseMetadata"] == {
        "resumeHoldMode": "tree_resume",
        "resumedPauseHoldId": inner["hold"]["id"],
        "resumedByResumeHoldId": resumed["hold"]["id"],
    }
    with_members = (
        await client.get(f"/api/issues/{child['id']}/tree-holds", params={"includeMembers": "true"})
    ).json()
    assert [m["issueTitle"] for m in with_members[0]["members"]] == ["Child"]
    one = await client.get(f"/api/issues/{child['id']}/tree-holds/{inner['hold']['id']}")
    assert one.status_code == 200 and one.json() == with_members[0]
    elsewhere = await client.get(f"/api/issues/{root['id']}/tree-holds/{inner['hold']['id']}")
    assert (elsewhere.status_code, elsewhere.json()["error"]) == (404, "Issue tree hold not found")
    assert (
        await client.get(f"/api/issues/{root['id']}/tree-holds", params={"status": "active"})
    ).json() == []
    assert (
        len((await client.get(f"/api/issues/{root['id']}/tree-holds", params={"mode": "resume"})).json()) == 1
    )
    for params in ({"status": "bogus"}, {"mode": "bogus"}, {"includeMembers": "maybe"}, {"holdStatus": "x"}):
        refused = await client.get(f"/api/issues/{root['id']}/tree-holds", params=params)
        assert refused.status_code == 400, (params, refused.text)

    # nothing held any more: resuming again warns so (after the original's no_affected_issues)
    again = await client.post(f"/api/issues/{root['id']}/tree-control/preview", json={"mode": "resume"})
    assert again.json()["warnings"] == [
        {
            "code": "no_affected_issues",
            "message": "No issues in this subtree match the requested control action.",
        },
        {"code": "no_active_pause_holds", "message": "No active pause holds were found in this subtree."},
    ]
    second = await _hold(client, child["id"], "pause")
    plain = await _hold(client, root["id"], "resume", expect=200)
    assert plain["hold"]["releaseReason"] == "Subtree resume applied."
    released = (await client.get(f"/api/issues/{child['id']}/tree-holds/{second['hold']['id']}")).json()
    assert released["releaseReason"] == "Subtree resume applied."
    # a pause above the issue covers it: no warning
    above = await _hold(client, root["id"], "pause")
    covered = await client.post(f"/api/issues/{child['id']}/tree-control/preview", json={"mode": "resume"})
    assert covered.json()["warnings"] == []
    await client.post(f"/api/issues/{root['id']}/tree-holds/{above['hold']['id']}/release", json={})

    policy = {"strategy": "after_active_runs_finish", "note": "when the runs end"}
    noted = await _hold(client, root["id"], "pause", releasePolicy=policy)
    assert noted["hold"]["releasePolicy"] == noted["preview"]["releasePolicy"] == policy


async def test_cancel_then_restore_puts_the_statuses_back(client, team, api):
    root, child, done = await _tree(api, team.cid, team.a1["id"])
    backlog = await api.issue(team.cid, title="Later", parentId=child["id"], status="backlog")
    cancel = await _hold(client, root["id"], "cancel")
    assert cancel["hold"]["status"] == "active"

    async def statuses() -> dict[str, str]:
        return {
            i["title"]: (await client.get(f"/api/issues/{i['id']}")).json()["status"]
            for i in (root, child, done, backlog)
        }

    assert await statuses() == {
        "Root": "cancelled",
        "Child": "cancelled",
        "Done kid": "done",
        "Later": "cancelled",
    }
    restored = await _hold(client, root["id"], "restore", expect=200)
    assert restored["preview"]["totals"]["affectedIssues"] == 3
    assert await statuses() == {"Root": "todo", "Child": "todo", "Done kid": "done", "Later": "backlog"}
    holds = {h["mode"]: h for h in (await client.get(f"/api/issues/{root['id']}/tree-holds")).json()}
    assert {mode: h["status"] for mode, h in holds.items()} == {"cancel": "released", "restore": "released"}
    # each records the other, in the original's words when the request gave no reason
    restored_ids = [root["id"], child["id"], backlog["id"]]
    assert holds["restore"]["releaseReason"] == "Restore operation applied"
    assert holds["restore"]["releaseMetadata"] == {
        "restoredIssueIds": restored_ids,
        "releasedCancelHoldIds": [cancel["hold"]["id"]],
    }
    assert holds["cancel"]["releaseReason"] == "Restored by subtree restore operation"
    assert holds["cancel"]["releaseMetadata"] == {
        "restoreHoldId": restored["hold"]["id"],
        "restoredIssueIds": restored_ids,
    }
    nothing = (
        await client.post(f"/api/issues/{root['id']}/tree-control/preview", json={"mode": "restore"})
    ).json()
    assert nothing["warnings"] == [
        {
            "code": "no_affected_issues",
            "message": "No issues in this subtree match the requested control action.",
        }
    ]
    actions = [a["action"] for a in (await client.get(f"/api/issues/{root['id']}/activity")).json()]
    for action in (
        "issue.tree_cancel_status_updated",
        "issue.tree_restore_status_updated",
        "issue.tree_control_previewed",
    ):
        assert action in actions


async def test_tree_hold_bad_input_is_refused_naming_the_field(client, app, team, api):
    root, _child, _done = await _tree(api, team.cid, team.a1["id"])
    foreign = await api.issue(team.other_company["id"], title="Theirs")
    agent = run_jwt(app, team.cid, team.a1["id"], team.r1)
    url = f"/api/issues/{root['id']}/tree-holds"
    for body, field in [
        ({"mode": "freeze"}, "mode"),
        ({}, "mode"),
        ({"mode": "pause", "extra": 1}, "extra"),
        ({"mode": "pause", "reason": ""}, "reason"),
        ({"mode": "pause", "releasePolicy": {"strategy": "later"}}, "releasePolicy.strategy"),
        ({"mode": "pause", "metadata": "x"}, "metadata"),
    ]:
        response = await client.post(url, json=body)
        assert response.status_code == 400, (body, response.text)
        assert field in [d["field"] for d in response.json()["details"]], response.json()
    assert (await client.get(url)).json() == []  # nothing written
    nowhere = await client.post(f"/api/issues/{uuid.uuid4()}/tree-holds", json={"mode": "pause"})
    assert (nowhere.status_code, nowhere.json()["error"]) == (404, "Root issue not found")
    nowhere = await client.get(f"/api/issues/{uuid.uuid4()}/tree-control/state")
    assert (nowhere.status_code, nowhere.json()["error"]) == (404, "Issue not found")
    assert (await client.get(f"/api/issues/{foreign['id']}/tree-holds", headers=agent)).status_code == 403
    assert (
        await client.post(f"/api/issues/{foreign['id']}/tree-holds", json={"mode": "pause"}, headers=agent)
    ).status_code == 403
    assert (
        await client.get(f"/api/issues/{foreign['id']}/tree-control/state", headers=agent)
    ).status_code == 403
    missing = await client.get(f"{url}/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["error"] == "Issue tree hold not found"
    bad = await client.post(f"{url}/nope/release", json={})
    assert bad.status_code == 400 and bad.json()["error"] == "Invalid hold ID"
    # as the original: only a dashed RFC 4122 UUID of version 1-5 is a hold id (not the nil UUID)
    for invalid in (
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "1cc23c7e-e147-6f3c-aaf7-81d870a2af38",
        "1cc23c7e-e147-4f3c-caf7-81d870a2af38",
        "1cc23c7ee1474f3caaf781d870a2af38",
        "{1cc23c7e-e147-4f3c-aaf7-81d870a2af38}",
    ):
        refused = await client.get(f"{url}/{invalid}")
        assert (refused.status_code, refused.json()["error"]) == (400, "Invalid hold ID"), invalid
    unknown = await client.get(f"{url}/1CC23C7E-E147-1F3C-9AF7-81D870A2AF38")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "Issue tree hold not found")
    # a hold is reached only through its own root
    theirs = await _hold(client, foreign["id"], "pause")
    assert (await client.get(f"{url}/{theirs['hold']['id']}")).status_code == 404
    assert (await client.post(f"{url}/{theirs['hold']['id']}/release", json={})).status_code == 404
    # an agent of the company may pause its tree (the original allows board or agent)
    by_agent = await client.post(url, json={"mode": "pause"}, headers=agent)
    assert by_agent.status_code == 201
    assert by_agent.json()["hold"]["createdByAgentId"] == team.a1["id"]
    assert by_agent.json()["hold"]["createdByRunId"] == team.r1


async def test_preview_lists_the_subtrees_live_runs_and_warns_of_them(client, team, api, factory, db):
    """As the original: every queued/running run of the subtree (skipped issues too) in `activeRuns` and
    on its issue, newest first; the affected issues with running / queued runs named in warnings."""
    root = await api.issue(team.cid, title="Root", status="todo")
    busy = await api.issue(team.cid, title="Busy", parentId=root["id"], status="todo")
    waiting = await api.issue(team.cid, title="Waiting", parentId=root["id"], status="todo")
    running = await factory.heartbeat_run(team.cid, team.a1["id"], status="running")
    queued = await factory.heartbeat_run(team.cid, team.a2["id"], status="queued")
    db.sql("UPDATE heartbeat_runs SET created_at = now() + interval '1 minute' WHERE id = %s", queued)
    for issue, run in ((busy, running), (waiting, queued)):
        db.sql(
            "UPDATE issues SET execution_run_id = %s, assignee_agent_id = %s WHERE id = %s",
            run,
            team.a1["id"],
            issue["id"],
        )
    url = f"/api/issues/{root['id']}/tree-control/preview"
    preview = (await client.post(url, json={"mode": "pause"})).json()
    runs = preview["activeRuns"]
    assert [(r["id"], r["issueId"], r["agentId"], r["status"]) for r in runs] == [
        (queued, waiting["id"], team.a2["id"], "queued"),
        (running, busy["id"], team.a1["id"], "running"),
    ]
    assert set(runs[0]) == {"id", "issueId", "agentId", "status", "startedAt", "createdAt"}
    assert next(i for i in preview["issues"] if i["title"] == "Busy")["activeRun"] == runs[1]
    assert preview["warnings"] == [
        {
            "code": "running_runs_present",
            "message": "Some affected issues have running heartbeat runs.",
            "issueIds": [busy["id"]],
        },
        {
            "code": "queued_runs_present",
            "message": "Some affected issues have queued heartbeat runs.",
            "issueIds": [waiting["id"]],
        },
    ]
    assert (preview["totals"]["activeRuns"], preview["totals"]["queuedRuns"]) == (1, 1)
    assert preview["affectedAgents"] == [{"agentId": team.a1["id"], "issueCount": 2, "activeRunCount": 2}]
    # nothing to resume: the runs are still listed and counted, but warned of only for affected issues
    resume = (await client.post(url, json={"mode": "resume"})).json()
    assert [r["id"] for r in resume["activeRuns"]] == [queued, running]
    assert (resume["totals"]["activeRuns"], resume["totals"]["queuedRuns"]) == (1, 1)
    assert [w["code"] for w in resume["warnings"]] == ["no_affected_issues", "no_active_pause_holds"]


async def test_pause_and_cancel_stop_the_runs_of_the_issues_they_affect(client, team, api, factory, db):
    """As the original: the queued and running runs of affected issues are cancelled (whatever the
    release policy), each with an `issue.tree_hold_run_interrupted` entry naming the hold."""

    async def live_tree(title: str) -> tuple[dict, str, str]:
        root = await api.issue(team.cid, title=title, status="todo")
        runs = []
        for kid, status in (("Busy", "running"), ("Waiting", "queued")):
            issue = await api.issue(team.cid, title=kid, parentId=root["id"], status="todo")
            run = await factory.heartbeat_run(team.cid, team.a1["id"], status=status)
            db.sql("UPDATE issues SET execution_run_id = %s WHERE id = %s", run, issue["id"])
            runs.append(run)
        return root, runs[0], runs[1]

    async def run_of(run_id: str) -> tuple:
        run = (await client.get(f"/api/heartbeat-runs/{run_id}")).json()
        return run["status"], run["error"], run["errorCode"]

    policy = {"strategy": "after_active_runs_finish"}
    for mode in ("pause", "cancel"):
        root, running, queued = await live_tree(f"Root {mode}")
        hold = (await _hold(client, root["id"], mode, releasePolicy=policy))["hold"]
        message = f"Cancelled by a board operator's subtree {mode}"
        for run_id in (running, queued):
            assert await run_of(run_id) == ("cancelled", message, "cancelled")
        interrupted = [
            a
            for a in (await client.get(f"/api/companies/{team.cid}/activity")).json()
            if a["action"] == "issue.tree_hold_run_interrupted" and a["details"]["holdId"] == hold["id"]
        ]
        assert sorted(a["entityId"] for a in interrupted) == sorted([running, queued])
        assert interrupted[0]["entityType"] == "heartbeat_run"
        assert interrupted[0]["details"] == {
            "holdId": hold["id"],
            "reason": "active_subtree_pause_hold" if mode == "pause" else "subtree_cancel_operation",
            "rootIssueId": root["id"],
        }
    # resume and restore touch no run
    root, running, queued = await live_tree("Root resume")
    await _hold(client, root["id"], "resume", expect=200)
    assert (await run_of(running))[0] == "running" and (await run_of(queued))[0] == "queued"
