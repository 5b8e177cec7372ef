"""GET /feedback-traces/:id/bundle through HTTP against the real PostgreSQL: the trace's envelope, the
voted target, and the run that wrote it (row, events, log) as files whose digests match their
contents; secrets redacted; other companies refused."""

from __future__ import annotations

import hashlib
import json
import uuid

from test_issue_interactions import run_jwt


async def test_bundle_carries_the_writing_run_and_its_files(client, app, team, api, db):
    issue = await api.issue(team.cid, title="Bundled")
    db.sql(
        "UPDATE heartbeat_runs SET result_json = %s, usage_json = %s, session_id_after = 's-1' WHERE id = %s",
        json.dumps({"summary": "did it", "token": "sk-ant-secretvalue123456789"}),
        json.dumps({"model": "claude-x", "costUsd": 0.5}),
        team.r1,
    )
    comment = await client.post(
        f"/api/issues/{issue['id']}/comments",
        json={"body": "agent says hi"},
        headers=run_jwt(app, team.cid, team.a1["id"], team.r1),
    )
    assert comment.status_code == 201, comment.text
    vote = await client.post(
        f"/api/issues/{issue['id']}/feedback-votes",
        json={"targetType": "issue_comment", "targetId": comment.json()["id"], "vote": "down"},
    )
    assert vote.status_code == 201, vote.text
    trace = (await client.get(f"/api/issues/{issue['id']}/feedback-traces")).json()[0]
    r = await client.get(f"/api/feedback-traces/{trace['id']}/bundle")
    assert r.status_code == 200, r.text
    bundle = r.json()
    assert (bundle["traceId"], bundle["issueIdentifier"], bundle["captureStatus"]) == (
        trace["id"],
        issue["identifier"],
        "full",
    )
    assert bundle["envelope"]["feedbackVoteId"] == vote.json()["id"]
    assert bundle["envelope"]["payloadDigest"] == trace["payloadDigest"]
    target = bundle["surface"]["target"]
    snapshot = (await client.get(f"/api/feedback-traces/{trace['id']}")).json()["payloadSnapshot"]["target"]
    hidden = ("authorType", "authorUserId", "authorAgentId")  # redacted even when empty, as the original's
    assert target == {k: "***REDACTED***" if k in hidden else v for k, v in snapshot.items()}
    assert (target["createdByRunId"], target["authorAgentId"], target["authorType"]) == (
        team.r1,
        "***REDACTED***",
        "***REDACTED***",
    )
    assert bundle["surface"]["summary"]["authorAgentId"] == "***REDACTED***"
    assert target["targetPath"].endswith(f"#comment-{comment.json()['id']}")
    run = bundle["paperclipRun"]
    assert (run["id"], run["agentName"], run["sessionIdAfter"]) == (team.r1, "Alpha Bot", "s-1")
    assert "secretvalue" not in r.text  # redacted like activity details
    assert bundle["normalizedAdapterTrace"]["summary"]["summary"] == "did it"
    assert bundle["normalizedAdapterTrace"]["summary"]["model"] == "claude-x"
    assert [f["path"] for f in bundle["files"]] == ["paperclip/run.json", "paperclip/run-events.json"]
    for f in bundle["files"]:
        assert f["sha256"] == hashlib.sha256(f["contents"].encode()).hexdigest()
        assert f["byteLength"] == len(f["contents"].encode())
    assert json.loads(bundle["files"][0]["contents"])["id"] == team.r1

    missing = await client.get(f"/api/feedback-traces/{uuid.uuid4()}/bundle")
    assert (missing.status_code, missing.json()["error"]) == (404, "Feedback trace not found")
    assert (await client.get("/api/feedback-traces/nope/bundle")).status_code == 404
    other = await client.get(
        f"/api/feedback-traces/{trace['id']}/bundle", headers={"Authorization": f"Bearer {team.kx}"}
    )
    assert other.status_code == 403
