"""GET /api/companies/{id}/live-runs (the board's live widgets) and issue live runs looked up by
identifier, through HTTP against the real PostgreSQL."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

ORIGINAL_KEYS = set(
    "id runtimeMode companyId status invocationSource triggerDetail contextCommentId contextWakeCommentId"
    " startedAt finishedAt createdAt agentId agentName adapterType logBytes livenessState livenessReason"
    " continuationAttempt lastUsefulActionAt nextAction lastOutputAt lastOutputSeq lastOutputStream"
    " lastOutputBytes processStartedAt issueId currentStatusMessage currentStatusUpdatedAt currentToolName"
    " lastAssistantSnippet lastEventAt execution outputSilence".split()
)


def _run(db, cid: str, agent_id: str, status: str, issue_id: str | None = None) -> str:
    ctx = json.dumps({"issueId": issue_id} if issue_id else {})
    return str(
        db.one(
            """INSERT INTO heartbeat_runs (id, company_id, agent_id, invocation_source, status, context_snapshot)
                          VALUES (gen_random_uuid(), %s, %s, 'on_demand', %s, %s::jsonb) RETURNING id""",
            cid,
            agent_id,
            status,
            ctx,
        )["id"]
    )


async def test_company_live_runs_lists_queued_and_running_and_pads_with_recent(client, api, db):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    agent = await api.agent(cid, name="Ada")
    done = _run(db, cid, agent["id"], "succeeded")
    running = _run(db, cid, agent["id"], "running")
    r = await client.get(f"/api/companies/{cid}/live-runs")
    assert r.status_code == 200
    runs = r.json()
    assert [x["id"] for x in runs] == [running]
    assert (
        runs[0]["agentName"] == "Ada"
        and runs[0]["adapterType"] == "process"
        and runs[0]["status"] == "running"
    )
    # the original's fields (read side by side with it), less `execution` and `outputSilence`,
    # its derived states of things this server does not track; those it does not track are null/0
    assert set(runs[0]) == ORIGINAL_KEYS - {"execution", "outputSilence"}
    assert runs[0]["runtimeMode"] == "legacy" and runs[0]["continuationAttempt"] == 0
    assert runs[0]["livenessState"] is None and runs[0]["lastOutputAt"] is None
    assert runs[0]["lastOutputSeq"] == 0  # the original's default before any output
    assert runs[0]["currentStatusMessage"] is None and runs[0]["nextAction"] is None
    padded = (await client.get(f"/api/companies/{cid}/live-runs?minCount=5")).json()
    assert [x["id"] for x in padded] == [running, done]
    assert (await client.get(f"/api/companies/{cid}/live-runs?minCount=-1")).status_code == 400


def _started_ticks() -> str:
    """This process's start time as the runner records it: clock ticks since boot (/proc/self/stat)."""
    with open("/proc/self/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()[19]


async def test_process_started_at_is_an_iso_timestamp(client, api, db):
    """The original answers the process's start time as an ISO timestamp, not the /proc clock ticks
    the runner records to recognise the process."""
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    agent = await api.agent(cid, name="Ada")
    running = _run(db, cid, agent["id"], "running")
    queued = _run(db, cid, agent["id"], "queued")
    ticks = _started_ticks()
    db.sql(
        "UPDATE heartbeat_runs SET process_pid = %s, process_started_at = %s WHERE id = %s",
        os.getpid(),
        ticks,
        running,
    )
    with open("/proc/stat") as fh:
        boot = next(float(line.split()[1]) for line in fh if line.startswith("btime "))
    expected = datetime.fromtimestamp(boot + int(ticks) / os.sysconf("SC_CLK_TCK"), UTC)
    runs = {r["id"]: r for r in (await client.get(f"/api/companies/{cid}/live-runs")).json()}
    started = runs[running]["processStartedAt"]
    assert started.endswith("Z") and datetime.fromisoformat(started) == expected.replace(
        microsecond=expected.microsecond // 1000 * 1000
    )
    assert runs[queued]["processStartedAt"] is None  # no process yet


async def test_live_runs_refuse_another_companys_agent(client, api):
    mine, theirs = await api.company("Mine"), await api.company("Theirs")
    headers = await api.agent_auth((await api.agent(mine["id"], "Ann"))["id"])
    r = await client.get(f"/api/companies/{theirs['id']}/live-runs", headers=headers)
    assert r.status_code == 403


async def test_issue_live_runs_accept_the_identifier(client, api, db):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    agent = await api.agent(cid, "Ann")
    issue = (await client.post(f"/api/companies/{cid}/issues", json={"title": "T"})).json()
    run = _run(db, cid, agent["id"], "running", issue["id"])
    by_identifier = await client.get(f"/api/issues/{issue['identifier']}/live-runs")
    assert by_identifier.status_code == 200 and [x["runId"] for x in by_identifier.json()] == [run]
    assert (await client.get(f"/api/issues/{issue['identifier'].lower()}/live-runs")).status_code == 200
    assert (await client.get(f"/api/issues/{company['issuePrefix']}-999/live-runs")).status_code == 404
