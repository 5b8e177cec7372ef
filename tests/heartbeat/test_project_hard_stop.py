"""A project's budget hard stop (`projects.paused_at`, reference §8.3) blocks wake-up admission for its
issues, the start of runs queued for them, and their checkout; lifting the stop lets work through again."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import sqlalchemy as sa
from hb_support import write_script

from paperclip.db.models import AgentWakeupRequest, HeartbeatRun

STOPPED = "Project is paused because its budget hard-stop was reached"


async def project_with_issue(client, factory, **agent_values):
    company = await factory.company()
    agent = await factory.agent(company, **agent_values)
    res = await client.post(f"/api/companies/{company}/projects", json={"name": "Moonshot"})
    assert res.status_code == 201, res.text
    project = res.json()["id"]
    issue = await factory.issue(company, project_id=uuid.UUID(project), status="todo")
    return company, agent, project, issue


async def set_project_budget(client, company, project, amount: int) -> None:
    res = await client.post(
        f"/api/companies/{company}/budgets/policies",
        json={"scopeType": "project", "scopeId": project, "amount": amount, "windowKind": "lifetime"},
    )
    assert res.status_code == 200, res.text


async def stop_project(client, company, agent, project) -> None:
    """The real hard stop: a lifetime project budget of 2 cents, then a cost event of 4 on the project."""
    await set_project_budget(client, company, project, 2)
    res = await client.post(
        f"/api/companies/{company}/cost-events",
        json={
            "agentId": str(agent),
            "projectId": project,
            "provider": "anthropic",
            "model": "claude",
            "inputTokens": 1,
            "outputTokens": 1,
            "costCents": 4,
            "occurredAt": "2026-01-15T12:00:00Z",
        },
    )
    assert res.status_code == 201, res.text
    detail = (await client.get(f"/api/projects/{project}")).json()
    assert detail["pauseReason"] == "budget" and detail["pausedAt"] is not None


async def requests_of(factory, agent):
    return await factory.rows(
        sa.select(AgentWakeupRequest.status, AgentWakeupRequest.error, AgentWakeupRequest.run_id)
        .where(AgentWakeupRequest.agent_id == agent)
        .order_by(AgentWakeupRequest.requested_at)
    )


async def runs_of(factory, agent):
    return await factory.rows(
        sa.select(
            HeartbeatRun.id,
            HeartbeatRun.status,
            HeartbeatRun.error_code,
            HeartbeatRun.error,
            HeartbeatRun.context_snapshot,
        )
        .where(HeartbeatRun.agent_id == agent)
        .order_by(HeartbeatRun.created_at)
    )


async def test_wakes_about_a_stopped_projects_issues_are_skipped(app_with_runner, client, factory):
    company, agent, project, issue = await project_with_issue(client, factory)
    await stop_project(client, company, agent, project)

    res = await client.post(
        f"/api/agents/{agent}/wakeup", json={"source": "on_demand", "payload": {"issueId": str(issue)}}
    )
    assert res.status_code == 202, res.text
    assert res.json()["status"] == "skipped"
    # an assignment wake (issue update through the API) is skipped the same way
    res = await client.patch(f"/api/issues/{issue}", json={"assigneeAgentId": str(agent)})
    assert res.status_code == 200, res.text
    assert [(r.status, r.error) for r in await requests_of(factory, agent)] == [
        ("skipped", "project_paused")
    ] * 2
    assert await runs_of(factory, agent) == []

    # work outside the project is not blocked
    other = await factory.issue(company, status="todo")
    res = await client.post(
        f"/api/agents/{agent}/wakeup", json={"source": "on_demand", "payload": {"issueId": str(other)}}
    )
    assert res.json()["status"] == "queued", res.text
    await factory.wait_run(res.json()["id"])

    # raising the budget lifts the stop: the project's issues wake their agent again
    await set_project_budget(client, company, project, 1000)
    res = await client.post(
        f"/api/agents/{agent}/wakeup", json={"source": "on_demand", "payload": {"issueId": str(issue)}}
    )
    assert res.json()["status"] == "queued", res.text
    assert (await factory.wait_run(res.json()["id"])).status == "succeeded"


async def test_a_run_queued_before_the_stop_is_cancelled_instead_of_started(
    app_with_runner, client, factory, tmp_path
):
    gate = tmp_path / "gate"
    started = tmp_path / "started"
    script = write_script(
        tmp_path / "agent.py",
        f"""
        import os, pathlib, time
        with open({str(started)!r}, "a") as fh:
            fh.write((os.environ.get("PAPERCLIP_TASK_ID") or "-") + "\\n")
        while not pathlib.Path({str(gate)!r}).exists():
            time.sleep(0.02)
    """,
    )
    company, agent, project, issue = await project_with_issue(
        client, factory, config={"command": str(script)}
    )
    # the agent is busy (one run at a time), so the project's wake-up waits in the queue
    busy = await client.post(f"/api/agents/{agent}/wakeup", json={"source": "on_demand"})
    await factory.wait_run(busy.json()["id"], statuses=("running",))
    queued = await client.post(
        f"/api/agents/{agent}/wakeup", json={"source": "on_demand", "payload": {"issueId": str(issue)}}
    )
    assert queued.json()["status"] == "queued", queued.text

    await stop_project(client, company, agent, project)
    gate.write_text("go")
    run = await factory.wait_run(queued.json()["id"])
    assert (run.status, run.error_code, run.error) == ("cancelled", "budget_blocked", STOPPED)
    assert run.started_at is None
    assert (await factory.wait_run(busy.json()["id"])).status == "succeeded"
    statuses = {r.run_id: r.status for r in await requests_of(factory, agent)}
    assert statuses[run.id] == "cancelled"
    assert started.read_text().split() == ["-"]  # the project's run never started a process


async def test_checkout_of_a_stopped_projects_issue_is_409(client, factory):
    company, agent, project, issue = await project_with_issue(client, factory)
    await stop_project(client, company, agent, project)
    body = {"agentId": str(agent), "expectedStatuses": ["todo"]}
    res = await client.post(f"/api/issues/{issue}/checkout", json=body)
    assert res.status_code == 409, res.text
    assert res.json() == {"error": STOPPED, "details": {"projectId": project, "pauseReason": "budget"}}
    row = (await client.get(f"/api/issues/{issue}")).json()
    assert row["status"] == "todo" and row["assigneeAgentId"] is None and row["checkoutRunId"] is None

    await set_project_budget(client, company, project, 1000)
    res = await client.post(f"/api/issues/{issue}/checkout", json=body)
    assert res.status_code == 200, res.text
    assert res.json()["status"] == "in_progress"


async def test_a_wake_racing_an_uncommitted_stop_waits_for_it_and_is_skipped(client, factory, database_url):
    company, agent, project, issue = await project_with_issue(client, factory)
    with psycopg.connect(database_url) as pause:  # another connection, its transaction left open
        pause.execute(
            "UPDATE projects SET paused_at = now(), pause_reason = 'budget' WHERE id = %s", (project,)
        )
        wake = asyncio.create_task(
            client.post(
                f"/api/agents/{agent}/wakeup",
                json={"source": "on_demand", "payload": {"issueId": str(issue)}},
            )
        )
        with psycopg.connect(database_url, autocommit=True) as watch:
            blocked = 0
            while not blocked and not wake.done():  # the wake-up is waiting for the pause's row lock
                blocked = watch.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0]
                await asyncio.sleep(0.01)
        assert not wake.done(), (await wake).text
        pause.commit()
    res = await wake
    assert res.status_code == 202 and res.json()["status"] == "skipped", res.text
    assert await runs_of(factory, agent) == []
