"""Wake-up admission, idempotency, coalescing and deferral behind an issue execution lock."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from paperclip.clock import utcnow
from paperclip.db.engine import unit_of_work
from paperclip.db.models import AgentWakeupRequest, HeartbeatRun, Issue
from paperclip.heartbeat.wakeups import request_wakeup

SLEEP = {"command": "/bin/sh", "args": ["-c", "sleep 30"], "graceSec": 1}


async def wake(app, company, agent, **kw):
    kw.setdefault("source", "automation")
    kw.setdefault("reason", "issue_commented")
    async with unit_of_work(app.state.sessions) as session:
        return await request_wakeup(session, company_id=company, agent_id=agent, now=utcnow(), **kw)


@pytest.mark.parametrize("status", ["paused", "terminated", "pending_approval"])
async def test_waking_an_uninvokable_agent_is_a_409_naming_its_state(client, factory, status):
    company = await factory.company()
    agent = await factory.agent(company, status=status)
    res = await client.post(f"/api/agents/{agent}/wakeup", json={})
    assert res.status_code == 409
    assert res.json()["error"] == "Agent is not invokable in its current state"
    assert res.json()["details"]["agentStatus"] == status
    res = await client.post(f"/api/agents/{agent}/heartbeat/invoke")
    assert res.status_code == 409


async def test_inactive_company_and_disabled_policy_write_skipped_rows(client, app, factory):
    paused_co = await factory.company(status="paused")
    a1 = await factory.agent(paused_co)
    res = await client.post(f"/api/agents/{a1}/wakeup", json={})
    assert res.status_code == 202 and res.json()["status"] == "skipped"
    company = await factory.company()
    a2 = await factory.agent(company, runtime={"heartbeat": {"wakeOnDemand": False}})
    res = await client.post(f"/api/agents/{a2}/heartbeat/invoke")
    assert res.status_code == 202 and res.json() == {"status": "skipped"}
    rows = await factory.rows(sa.select(AgentWakeupRequest.agent_id, AgentWakeupRequest.status, AgentWakeupRequest.error)
                              .where(AgentWakeupRequest.agent_id.in_([a1, a2])))
    assert sorted((r.status, r.error) for r in rows) == [("skipped", "company_not_active"), ("skipped", "policy_disabled")]
    assert await factory.scalar(sa.select(sa.func.count()).select_from(HeartbeatRun)
                                .where(HeartbeatRun.agent_id.in_([a1, a2]))) == 0


async def test_agent_can_only_invoke_itself(client, app, factory):
    from paperclip.auth.run_jwt import mint_run_jwt

    company = await factory.company()
    me, other = await factory.agent(company), await factory.agent(company)
    token = mint_run_jwt(app.state.settings, agent_id=me, company_id=company, run_id=uuid.uuid4(),
                         adapter_type="process", now=utcnow())
    res = await client.post(f"/api/agents/{other}/wakeup", json={}, headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 403 and res.json()["error"] == "Agent can only invoke itself"


async def test_idempotency_key_returns_the_existing_request(client, factory):
    company = await factory.company()
    agent = await factory.agent(company, config=SLEEP)
    first = (await client.post(f"/api/agents/{agent}/wakeup", json={"idempotencyKey": "k-1"})).json()
    second = (await client.post(f"/api/agents/{agent}/wakeup", json={"idempotencyKey": "k-1", "reason": "x"})).json()
    assert first["id"] == second["id"]
    assert await factory.scalar(sa.select(sa.func.count()).select_from(HeartbeatRun).where(HeartbeatRun.agent_id == agent)) == 1
    await client.post(f"/api/heartbeat-runs/{first['id']}/cancel")
    await factory.wait_run(first["id"])


async def test_wakes_for_the_same_task_coalesce_into_the_queued_run(client, app, factory):
    company = await factory.company()
    agent = await factory.agent(company, config=SLEEP)
    busy = (await client.post(f"/api/agents/{agent}/wakeup", json={})).json()
    await factory.wait_run(busy["id"], ("running",))
    issue = str(uuid.uuid4())
    ctx = {"issueId": issue, "taskKey": issue}
    one = await wake(app, company, agent, payload={"issueId": issue, "commentId": "c1"}, context=ctx)
    two = await wake(app, company, agent, payload={"issueId": issue, "commentId": "c2"}, context=ctx,
                     reason="issue_comment_mentioned")
    other = await wake(app, company, agent, context={"issueId": str(uuid.uuid4())})
    assert one.status == "queued" and two.status == "coalesced" and two.run_id == one.run_id
    assert other.status == "queued" and other.run_id != one.run_id
    run = await factory.run(one.run_id)
    assert run.context_snapshot["wakeReason"] == "issue_comment_mentioned"
    assert run.context_snapshot["wakeCommentIds"] == ["c1", "c2"]
    request = await factory.scalar(sa.select(AgentWakeupRequest).where(AgentWakeupRequest.id == one.request_id))
    assert request.coalesced_count == 1
    res = await client.post(f"/api/heartbeat-runs/{busy['id']}/cancel")
    assert res.json()["status"] == "cancelled"
    for run_id in (one.run_id, other.run_id):
        await factory.wait_run(run_id, ("running",))
        await client.post(f"/api/heartbeat-runs/{run_id}/cancel")
        await factory.wait_run(run_id)


async def test_wake_for_an_issue_locked_by_another_run_waits_for_it(client, app, factory):
    company = await factory.company()
    holder = await factory.agent(company, config=SLEEP)
    other = await factory.agent(company, config={"command": "true"})
    busy = (await client.post(f"/api/agents/{holder}/wakeup", json={})).json()
    await factory.wait_run(busy["id"], ("running",))
    issue = await factory.issue(company, status="in_progress", assignee_agent_id=holder,
                                checkout_run_id=uuid.UUID(busy["id"]), execution_run_id=uuid.UUID(busy["id"]))
    outcome = await wake(app, company, other, context={"issueId": str(issue)}, reason="issue_comment_mentioned")
    assert outcome.status == "deferred_issue_execution" and outcome.run_id is None
    await client.post(f"/api/heartbeat-runs/{busy['id']}/cancel")
    await factory.wait_run(busy["id"])
    locks = (await factory.rows(sa.select(Issue.checkout_run_id, Issue.execution_run_id).where(Issue.id == issue)))[0]
    assert tuple(locks) == (None, None)  # released by the run's end
    for _ in range(200):
        request = await factory.scalar(sa.select(AgentWakeupRequest).where(AgentWakeupRequest.id == outcome.request_id))
        if request.run_id is not None:
            break
        import asyncio

        await asyncio.sleep(0.02)
    run = await factory.wait_run(request.run_id)
    assert run.status == "succeeded" and run.context_snapshot["issueId"] == str(issue)


async def test_concurrent_wakes_each_queue_a_run_and_one_idempotency_key_still_queues_one(app, factory):
    """Plain on-demand wake-ups skip the agent's wake-up lock (each is its own run); a keyed one
    still takes it, so concurrent duplicates find the first request."""
    import asyncio

    from paperclip.heartbeat.wakeups import needs_wake_lock

    assert not needs_wake_lock("on_demand", None, None) and needs_wake_lock("on_demand", "k", None)
    assert needs_wake_lock("on_demand", None, {"issueId": "x"}) and needs_wake_lock("assignment", None, None)
    company = await factory.company()
    plain, keyed = await factory.agent(company), await factory.agent(company)
    plain_outcomes = await asyncio.gather(*[wake(app, company, plain, source="on_demand", reason="burst")
                                            for _ in range(12)])
    assert {o.status for o in plain_outcomes} == {"queued"} and len({o.run_id for o in plain_outcomes}) == 12
    keyed_outcomes = await asyncio.gather(*[wake(app, company, keyed, source="on_demand", reason="burst",
                                                 idempotency_key="same") for _ in range(12)])
    assert len({o.run_id for o in keyed_outcomes}) == 1
    assert await factory.scalar(sa.select(sa.func.count()).select_from(AgentWakeupRequest)
                                .where(AgentWakeupRequest.agent_id == keyed)) == 1
    for outcome in plain_outcomes + keyed_outcomes[:1]:
        assert (await factory.wait_run(outcome.run_id)).status == "succeeded"
