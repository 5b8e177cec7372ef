"""Recovery actions through HTTP with real runs: what the original does, checked side by side (a run that
ends without success while it holds an in-progress issue leaves an active action on it; the board
resolves it, or the next scheduler tick settles it by blocking the issue)."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from factories import bearer
from test_issues_concurrency import live_url  # noqa: F401  (the live-server fixture)

from paperclip.db.models import HeartbeatRun

pytestmark = pytest.mark.usefixtures("app_with_runner")

EVIDENCE = "The provider was stopped; no recorded action ran."


async def _held_then_failed(client, api, factory, tmp_path: Path, *, exit_code: int = 3) -> dict:
    """A process agent whose run checks out its issue (as an agent does through the API), then exits
    with `exit_code`. Returns ids of the company, agent, issue and run."""
    go = tmp_path / f"go-{uuid.uuid4().hex}"
    script = tmp_path / f"agent-{uuid.uuid4().hex}.py"
    script.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent(f"""
            import os, sys, time
            while not os.path.exists({str(go)!r}):
                time.sleep(0.02)
            sys.exit({exit_code})
        """)
    )
    script.chmod(0o755)
    company = await api.company("Recovery Co")
    agent = await api.agent(
        company["id"], "Failer", adapterType="process", adapterConfig={"command": str(script)}
    )
    key = await api.agent_key(agent["id"])
    issue = await api.issue(company["id"], title="Fragile", status="todo", assigneeAgentId=agent["id"])
    run_id = await _running_run(factory, agent["id"])
    checkout = await client.post(
        f"/api/issues/{issue['id']}/checkout",
        json={"agentId": agent["id"], "expectedStatuses": ["todo"]},
        headers=bearer(key, run_id),
    )
    assert checkout.status_code == 200, checkout.text
    go.touch()
    await factory.wait_run(run_id)
    return {"company": company, "agent": agent, "key": key, "issue": issue, "run": run_id}


async def _running_run(factory, agent_id: str) -> str:
    for _ in range(500):
        rows = await factory.rows(
            sa.select(HeartbeatRun.id).where(
                HeartbeatRun.agent_id == uuid.UUID(agent_id), HeartbeatRun.status == "running"
            )
        )
        if rows:
            return str(rows[0][0])
        await asyncio.sleep(0.02)
    raise AssertionError("the agent's run did not start")


def _reconciliation(run_id: str) -> dict:
    return {
        "runId": run_id,
        "providerStopped": True,
        "actionOutcome": "not_performed",
        "outcomeEvidence": EVIDENCE,
    }


async def test_a_failed_run_opens_an_action_resolved_once(client, api, factory, tmp_path):
    held = await _held_then_failed(client, api, factory, tmp_path)
    issue_id, run_id, agent_id = held["issue"]["id"], held["run"], held["agent"]["id"]
    url = f"/api/issues/{issue_id}/recovery-actions"

    listed = (await client.get(url)).json()
    active = listed["active"]
    assert listed["actions"] == [active]
    assert {
        k: active[k] for k in ("kind", "status", "ownerType", "cause", "fingerprint", "returnOwnerAgentId")
    } == {
        "kind": "active_run_watchdog",
        "status": "active",
        "ownerType": "board",
        "cause": "legacy_execution_requires_reconciliation",
        "fingerprint": f"legacy-execution:{run_id}",
        "returnOwnerAgentId": agent_id,
    }
    assert active["evidence"] == {
        "runId": run_id,
        "attempt": 1,
        "adapterRecovery": "unsupported_or_unknown",
        "originalFailureCode": "nonzero_exit",  # the run's errorCode (the original's run says adapter_failed)
    }
    assert (active["attemptCount"], active["maxAttempts"], active["outcome"], active["resolvedAt"]) == (
        1,
        3,
        None,
        None,
    )
    issue = (await client.get(f"/api/issues/{issue_id}")).json()
    assert (issue["status"], issue["checkoutRunId"], issue["executionRunId"]) == ("in_progress", None, None)
    # the detail carries the action and the blocker the original's board shows
    assert issue["activeRecoveryAction"] == active
    assert issue["executionBlocker"] == {
        "recoveryActionId": active["id"],
        "runId": run_id,
        "agentId": agent_id,
        "cause": "legacy_execution_requires_reconciliation",
        "nextAction": active["nextAction"],
    }
    # what the agent reads each wake carries it, as on the original
    as_agent = bearer(held["key"])
    inbox = (await client.get("/api/agents/me/inbox-lite", headers=as_agent)).json()
    assert next(e for e in inbox if e["id"] == issue_id)["activeRecoveryAction"] == active
    context = (await client.get(f"/api/issues/{issue_id}/heartbeat-context", headers=as_agent)).json()
    assert context["issue"]["activeRecoveryAction"] == active

    # continuing the task needs the run's reconciliation, of this run, continuing to todo
    plain = await client.post(url + "/resolve", json={"outcome": "restored", "sourceIssueStatus": "todo"})
    assert plain.status_code == 409 and plain.json()["error"] == (
        "Reconcile the recorded execution and its action outcomes before continuing this task."
    )
    other_run = {
        "outcome": "restored",
        "sourceIssueStatus": "todo",
        "executionReconciliation": _reconciliation(str(uuid.uuid4())),
    }
    assert (await client.post(url + "/resolve", json=other_run)).status_code == 409
    not_continuing = {
        "outcome": "false_positive",
        "sourceIssueStatus": "in_review",
        "executionReconciliation": _reconciliation(run_id),
    }
    refused = await client.post(url + "/resolve", json=not_continuing)
    assert refused.status_code == 409 and refused.json()["error"] == (
        "An execution reconciliation must target the current execution recovery action and continue the task."
    )
    blocked = await client.post(url + "/resolve", json={"outcome": "blocked", "sourceIssueStatus": "blocked"})
    assert blocked.status_code == 422 and blocked.json()["error"] == (
        "Blocked recovery resolution requires an unresolved first-class blocker on the source issue"
    )
    wrong_action = {"outcome": "cancelled", "sourceIssueStatus": "done", "actionId": str(uuid.uuid4())}
    missing = await client.post(url + "/resolve", json=wrong_action)
    assert missing.status_code == 404 and missing.json()["error"] == "Active recovery action not found"

    body = {
        "outcome": "restored",
        "sourceIssueStatus": "todo",
        "actionId": active["id"],
        "resolutionNote": "checked",
        "executionReconciliation": _reconciliation(run_id),
    }
    resolved = await client.post(url + "/resolve", json=body)
    assert resolved.status_code == 200, resolved.text
    answer = resolved.json()
    assert answer["issue"]["status"] == "todo" and answer["issue"]["changes"] == {
        "status": {"from": "in_progress", "to": "todo"}
    }
    assert answer["issue"]["activeRecoveryAction"] is None
    detail = (await client.get(f"/api/issues/{issue_id}")).json()
    assert (detail["activeRecoveryAction"], detail["executionBlocker"]) == (None, None)
    action = answer["recoveryAction"]
    assert (action["id"], action["status"], action["outcome"], action["resolutionNote"]) == (
        active["id"],
        "resolved",
        "handed_back",
        "checked",
    )
    assert action["resolvedAt"] is not None
    assert action["evidence"]["continuationDelivery"] == "pending"
    recorded = action["evidence"]["executionReconciliation"]
    assert {
        k: recorded[k] for k in ("runId", "actorId", "actionOutcome", "outcomeEvidence", "providerStopped")
    } == {
        "runId": run_id,
        "actorId": "local-board",
        "actionOutcome": "not_performed",
        "outcomeEvidence": EVIDENCE,
        "providerStopped": True,
    }

    # the task goes on: its agent is woken to continue it
    rerun = await factory.rows(
        sa.select(HeartbeatRun.id, HeartbeatRun.context_snapshot).where(
            HeartbeatRun.agent_id == uuid.UUID(agent_id), HeartbeatRun.id != uuid.UUID(run_id)
        )
    )
    assert [snapshot["wakeReason"] for _, snapshot in rerun] == ["issue_recovery_action_restored"]
    assert rerun[0][1]["retryOfRunId"] == run_id and rerun[0][1]["recoveryActionId"] == active["id"]
    await factory.wait_run(rerun[0][0])

    # after: nothing active, the issue is back to todo; a second resolution finds nothing
    assert (await client.get(url)).json() == {"active": None, "actions": []}
    assert (await client.get(f"/api/issues/{issue_id}")).json()["status"] == "todo"
    again = await client.post(url + "/resolve", json=body)
    assert again.status_code == 404 and again.json()["error"] == "Active recovery action not found"

    activity = (await client.get(f"/api/issues/{issue_id}/activity")).json()
    by_action = {a["action"]: a["details"] for a in activity}
    assert by_action["issue.updated"] == {
        "source": "recovery_action_resolution",
        "status": "todo",
        "_previous": {"status": "in_progress"},
        "identifier": held["issue"]["identifier"],
        "recoveryActionId": active["id"],
    }
    assert by_action["issue.recovery_action_resolved"] == {
        "outcome": "handed_back",
        "identifier": held["issue"]["identifier"],
        "resolutionNote": "checked",
        "recoveryActionId": active["id"],
        "sourceIssueStatus": "todo",
        "recoveryActionStatus": "resolved",
    }


async def test_cancelling_closes_the_action_and_finishes_the_issue(client, api, factory, tmp_path):
    held = await _held_then_failed(client, api, factory, tmp_path)
    url = f"/api/issues/{held['issue']['id']}/recovery-actions"
    resolved = await client.post(url + "/resolve", json={"outcome": "cancelled", "sourceIssueStatus": "done"})
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["recoveryAction"]["status"] == "cancelled"
    assert resolved.json()["recoveryAction"]["outcome"] == "cancelled"
    issue = (await client.get(f"/api/issues/{held['issue']['id']}")).json()
    assert issue["status"] == "done" and issue["completedAt"] is not None


async def test_a_successful_run_opens_nothing_and_the_tick_settles_what_nobody_resolved(
    client, api, factory, heartbeat, tmp_path
):
    fine = await _held_then_failed(client, api, factory, tmp_path, exit_code=0)
    assert (await client.get(f"/api/issues/{fine['issue']['id']}/recovery-actions")).json()["active"] is None

    held = await _held_then_failed(client, api, factory, tmp_path)
    issue_id = held["issue"]["id"]
    action_id = (await client.get(f"/api/issues/{issue_id}/recovery-actions")).json()["active"]["id"]
    await heartbeat.tick(datetime.now(UTC))
    assert (await client.get(f"/api/issues/{issue_id}/recovery-actions")).json() == {
        "active": None,
        "actions": [],
    }
    detail = (await client.get(f"/api/issues/{issue_id}")).json()
    assert (detail["status"], detail["activeRecoveryAction"]) == ("blocked", None)
    # the settled action still explains the block (and still does once the issue moves on, as on the original)
    assert detail["executionBlocker"] == {
        "recoveryActionId": action_id,
        "runId": held["run"],
        "agentId": held["agent"]["id"],
        "cause": "legacy_execution_requires_reconciliation",
        "nextAction": "Automatic recovery stopped. Recorded work is preserved;"
        " actions with unverified outcomes will not be repeated.",
    }
    assert (await client.patch(f"/api/issues/{issue_id}", json={"status": "done"})).status_code == 200
    assert (await client.get(f"/api/issues/{issue_id}")).json()["executionBlocker"] == detail[
        "executionBlocker"
    ]
    late = await client.post(
        f"/api/issues/{issue_id}/recovery-actions/resolve",
        json={"outcome": "cancelled", "sourceIssueStatus": "done"},
    )
    assert late.status_code == 404
    activity = (await client.get(f"/api/issues/{issue_id}/activity")).json()
    settled = next(a for a in activity if a["action"] == "issue.execution_recovery_settled")
    assert (settled["actorType"], settled["actorId"]) == ("system", "execution-recovery")
    assert settled["details"] == {
        "replay": "not_authorized",
        "outcome": "blocked",
        "recoveryActionId": action_id,
    }


async def test_recovery_actions_are_company_scoped_and_bodies_checked(client, api, factory, tmp_path):
    held = await _held_then_failed(client, api, factory, tmp_path)
    url = f"/api/issues/{held['issue']['id']}/recovery-actions"
    other = await api.company("Other Co")
    stranger = await api.agent(other["id"], "Stranger")
    foreign = bearer(await api.agent_key(stranger["id"]))
    assert (await client.get(url, headers=foreign)).status_code == 403
    body = {"outcome": "cancelled", "sourceIssueStatus": "done"}
    assert (await client.post(url + "/resolve", json=body, headers=foreign)).status_code == 403
    # an agent of the company may resolve (the original's route is board_or_agent)
    for bad, field in [
        ({"outcome": "fixed", "sourceIssueStatus": "todo"}, "outcome"),
        ({"outcome": "cancelled"}, "sourceIssueStatus"),
        ({**body, "sourceIssueStatus": "in_progress"}, "sourceIssueStatus"),
        ({**body, "actionId": "nope"}, "actionId"),
    ]:
        response = await client.post(url + "/resolve", json=bad)
        assert response.status_code == 400, response.text
        assert field in [d["field"] for d in response.json()["details"]], response.text
    # nothing was changed by the refusals
    assert (await client.get(url)).json()["active"]["status"] == "active"
    own = bearer(held["key"])
    assert (await client.post(url + "/resolve", json=body, headers=own)).status_code == 200


async def test_resolutions_racing_on_their_own_connections_leave_one(live_url, api, db):  # noqa: F811
    company = await api.company("Race Co")
    issue = await api.issue(company["id"], title="Raced", status="todo")
    action = db.one(
        "INSERT INTO issue_recovery_actions (company_id, source_issue_id, kind, cause, fingerprint, evidence, "
        "next_action) VALUES (%s, %s, 'active_run_watchdog', 'legacy_execution_requires_reconciliation', "
        "'legacy-execution:raced', '{}'::jsonb, 'Reconcile') RETURNING id",
        company["id"],
        issue["id"],
    )
    url = f"/api/issues/{issue['id']}/recovery-actions/resolve"
    body = {"outcome": "cancelled", "sourceIssueStatus": "done"}
    async with httpx.AsyncClient(base_url=live_url, timeout=60) as http:
        answers = await asyncio.gather(*(http.post(url, json=body) for _ in range(6)))
    assert sorted(a.status_code for a in answers) == [200, 404, 404, 404, 404, 404], [a.text for a in answers]
    assert (
        db.one("SELECT status FROM issue_recovery_actions WHERE id = %s", action["id"])["status"]
        == "cancelled"
    )
    logged = db.sql(
        "SELECT count(*) AS n FROM activity_log WHERE entity_id = %s AND action = 'issue.recovery_action_resolved'",
        issue["id"],
    )
    assert logged[0]["n"] == 1
