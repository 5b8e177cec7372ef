"""Wake-up admission, idempotency, coalescing and deferral behind an issue execution lock."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from paperclip.clock import utcnow
from paperclip.db.engine import unit_of_work
from paperclip.db.models import AgentWakeupRequest, HeartbeatRun, Issue
from paperclip.heartbeat.wakeups import request_wakeup
from paperclip.logging import REQUEST_ID

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
    rows = await factory.rows(
        sa.select(AgentWakeupRequest.agent_id, AgentWakeupRequest.status, AgentWakeupRequest.error).where(
            AgentWakeupRequest.agent_id.in_([a1, a2])
        )
    )
    assert sorted((r.status, r.error) for r in rows) == [
        ("skipped", "company_not_active"),
        ("skipped", "policy_disabled"),
    ]
    assert (
        await factory.scalar(
            sa.select(sa.func.count()).select_from(HeartbeatRun).where(HeartbeatRun.agent_id.in_([a1, a2]))
        )
        == 0
    )


async def test_agent_can_only_invoke_itself(client, app, factory):
    from paperclip.auth.run_jwt import mint_run_jwt

    company = await factory.company()
    me, other = await factory.agent(company), await factory.agent(company)
    token = mint_run_jwt(
        app.state.settings,
        agent_id=me,
        company_id=company,
        run_id=uuid.uuid4(),
        adapter_type="process",
        now=utcnow(),
    )
    res = await client.post(
        f"/api/agents/{other}/wakeup", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert res.status_code == 403 and res.json()["error"] == "Agent can only invoke itself"


async def test_idempotency_key_returns_the_existing_request(app_with_runner, client, factory):
    company = await factory.company()
    agent = await factory.agent(company, config=SLEEP)
    first = (await client.post(f"/api/agents/{agent}/wakeup", json={"idempotencyKey": "k-1"})).json()
    second = (
        await client.post(f"/api/agents/{agent}/wakeup", json={"idempotencyKey": "k-1", "reason": "x"})
    ).json()
    assert first["id"] == second["id"]
    assert (
        await factory.scalar(
            sa.select(sa.func.count()).select_from(HeartbeatRun).where(HeartbeatRun.agent_id == agent)
        )
        == 1
    )
    await client.post(f"/api/heartbeat-runs/{first['id']}/cancel")
    await factory.wait_run(first["id"])


async def test_wakes_for_the_same_task_coalesce_into_the_queued_run(app_with_runner, client, app, factory):
    company = await factory.company()
    agent = await factory.agent(company, config=SLEEP)
    busy = (await client.post(f"/api/agents/{agent}/wakeup", json={})).json()
    await factory.wait_run(busy["id"], ("running",))
    issue = str(uuid.uuid4())
    ctx = {"issueId": issue, "taskKey": issue}
    one = await wake(app, company, agent, payload={"issueId": issue, "commentId": "c1"}, context=ctx)
    two = await wake(
        app,
        company,
        agent,
        payload={"issueId": issue, "commentId": "c2"},
        context=ctx,
        reason="issue_comment_mentioned",
    )
    other = await wake(app, company, agent, context={"issueId": str(uuid.uuid4())})
    assert one.status == "queued" and two.status == "coalesced" and two.run_id == one.run_id
    assert other.status == "queued" and other.run_id != one.run_id
    run = await factory.run(one.run_id)
    assert run.context_snapshot["wakeReason"] == "issue_comment_mentioned"
    assert run.context_snapshot["wakeCommentIds"] == ["c1", "c2"]
    request = await factory.scalar(
        sa.select(AgentWakeupRequest).where(AgentWakeupRequest.id == one.request_id)
    )
    assert request.coalesced_count == 1
    res = await client.post(f"/api/heartbeat-runs/{busy['id']}/cancel")
    assert res.json()["status"] == "cancelled"
    for run_id in (one.run_id, other.run_id):
        await factory.wait_run(run_id, ("running",))
        await client.post(f"/api/heartbeat-runs/{run_id}/cancel")
        await factory.wait_run(run_id)


async def test_wake_for_an_issue_locked_by_another_run_waits_for_it(app_with_runner, client, app, factory):
    company = await factory.company()
    holder = await factory.agent(company, config=SLEEP)
    other = await factory.agent(company, config={"command": "true"})
    busy = (await client.post(f"/api/agents/{holder}/wakeup", json={})).json()
    await factory.wait_run(busy["id"], ("running",))
    issue = await factory.issue(
        company,
        status="in_progress",
        assignee_agent_id=holder,
        checkout_run_id=uuid.UUID(busy["id"]),
        execution_run_id=uuid.UUID(busy["id"]),
    )
    outcome = await wake(
        app, company, other, context={"issueId": str(issue)}, reason="issue_comment_mentioned"
    )
    assert outcome.status == "deferred_issue_execution" and outcome.run_id is None
    await client.post(f"/api/heartbeat-runs/{busy['id']}/cancel")
    await factory.wait_run(busy["id"])
    locks = (
        await factory.rows(sa.select(Issue.checkout_run_id, Issue.execution_run_id).where(Issue.id == issue))
    )[0]
    assert tuple(locks) == (None, None)  # released by the run's end
    for _ in range(200):
        request = await factory.scalar(
            sa.select(AgentWakeupRequest).where(AgentWakeupRequest.id == outcome.request_id)
        )
        if request.run_id is not None:
            break
        import asyncio

        await asyncio.sleep(0.02)
    run = await factory.wait_run(request.run_id)
    assert run.status == "succeeded" and run.context_snapshot["issueId"] == str(issue)


async def test_concurrent_wakes_each_queue_a_run_and_one_idempotency_key_still_queues_one(
    app_with_runner, app, factory
):
    """Plain on-demand wake-ups skip the agent's wake-up lock (each is its own run); a keyed one
    still takes it, so concurrent duplicates find the first request."""
    import asyncio

    from paperclip.heartbeat.wakeups import needs_wake_lock

    assert not needs_wake_lock("on_demand", None, None) and needs_wake_lock("on_demand", "k", None)
    assert needs_wake_lock("on_demand", None, {"issueId": "x"}) and needs_wake_lock("assignment", None, None)
    company = await factory.company()
    plain, keyed = await factory.agent(company), await factory.agent(company)
    plain_outcomes = await asyncio.gather(
        *[wake(app, company, plain, source="on_demand", reason="burst") for _ in range(12)]
    )
    assert {o.status for o in plain_outcomes} == {"queued"} and len({o.run_id for o in plain_outcomes}) == 12
    keyed_outcomes = await asyncio.gather(
        *[
            wake(app, company, keyed, source="on_demand", reason="burst", idempotency_key="same")
            for _ in range(12)
        ]
    )
    assert len({o.run_id for o in keyed_outcomes}) == 1
    assert (
        await factory.scalar(
            sa.select(sa.func.count())
            .select_from(AgentWakeupRequest)
            .where(AgentWakeupRequest.agent_id == keyed)
        )
        == 1
    )
    for outcome in plain_outcomes + keyed_outcomes[:1]:
        assert (await factory.wait_run(outcome.run_id)).status == "succeeded"


# ---------------------------------------------------------------- the one-statement on-demand wake-up


def _without(row, *keys):
    return {k: v for k, v in row._mapping.items() if k not in keys}


async def _written_for(factory, agent):
    from paperclip.db.models import ActivityLog

    def columns(model):
        return sa.select(*model.__table__.c)

    requests = await factory.rows(columns(AgentWakeupRequest).where(AgentWakeupRequest.agent_id == agent))
    runs = await factory.rows(columns(HeartbeatRun).where(HeartbeatRun.agent_id == agent))
    activity = await factory.rows(columns(ActivityLog).where(ActivityLog.entity_id == str(agent)))
    return requests, runs, activity


async def test_a_plain_on_demand_wake_is_one_statement_writing_what_the_general_path_writes(
    app_with_runner, client, app, factory, monkeypatch
):
    """The route's one-statement path and the general path (request_wakeup in a transaction) leave
    the same request, run and activity entry, and answer with the same run shape."""
    from paperclip.auth.actor import LOCAL_BOARD
    from paperclip.heartbeat import service

    taken = []
    real = service.queue_on_demand_wakeup

    async def spy(*args, **kwargs):
        row = await real(*args, **kwargs)
        taken.append(row is not None)
        return row

    monkeypatch.setattr(service, "queue_on_demand_wakeup", spy)
    company = await factory.company()
    fast_agent, general_agent = (
        await factory.agent(company, config=SLEEP),
        await factory.agent(company, config=SLEEP),
    )
    fast = await client.post(
        f"/api/agents/{fast_agent}/wakeup",
        json={"reason": "look", "triggerDetail": "ping", "forceFreshSession": True},
    )
    assert fast.status_code == 202 and taken == [True]
    # the general path as if serving a request with the same id (the run's snapshot names it)
    token = REQUEST_ID.set(fast.headers["x-request-id"])
    async with unit_of_work(app.state.sessions) as session:
        general = await service.wake_agent(
            session,
            LOCAL_BOARD,
            general_agent,
            source="on_demand",
            trigger_detail="ping",
            reason="look",
            payload=None,
            idempotency_key=None,
            force_fresh_session=True,
            invoke=False,
            now=utcnow(),
            pool=None,
        )
    REQUEST_ID.reset(token)
    assert taken == [True]  # the general path did not go through it

    fast_json, ids = (
        fast.json(),
        ("id", "agentId", "wakeupRequestId", "createdAt", "updatedAt", "startedAt", "status"),
    )
    assert fast_json["status"] == general["status"] == "queued"
    assert {k: v for k, v in fast_json.items() if k not in ids} == {
        k: v for k, v in general.items() if k not in ids
    }
    assert fast_json["agentId"] == str(fast_agent) and fast_json["companyId"] == str(company)

    (f_req,), (f_run,), (f_act,) = await _written_for(factory, fast_agent)
    (g_req,), (g_run,), (g_act,) = await _written_for(factory, general_agent)
    volatile = (
        "id",
        "agent_id",
        "run_id",
        "requested_at",
        "created_at",
        "updated_at",
        "claimed_at",
        "finished_at",
        "status",
        "error",
    )
    assert _without(f_req, *volatile) == _without(g_req, *volatile)
    assert f_req.run_id == f_run.id and f_run.wakeup_request_id == f_req.id
    run_volatile = (
        "id",
        "agent_id",
        "wakeup_request_id",
        "created_at",
        "updated_at",
        "started_at",
        "finished_at",
        "status",
        "runner_id",
        "process_pid",
        "process_started_at",
        "exit_code",
        "signal",
        "error",
        "error_code",
        "stdout_excerpt",
        "stderr_excerpt",
        "log_store",
        "log_ref",
        "log_bytes",
        "log_sha256",
        "result_json",
        "usage_json",
        "session_id_before",
        "session_id_after",
    )
    assert _without(f_run, *run_volatile) == _without(g_run, *run_volatile)
    assert f_run.context_snapshot["forceFreshSession"] is True
    assert _without(f_act, "id", "entity_id", "created_at", "details") == _without(
        g_act, "id", "entity_id", "created_at", "details"
    )
    assert f_act.details == {**g_act.details, "runId": str(f_run.id)} and g_act.details["runId"] == str(
        g_run.id
    )
    assert f_act.action == "heartbeat.invoked" and f_act.entity_id == str(fast_agent)
    for run_id in (fast_json["id"], general["id"]):
        await client.post(f"/api/heartbeat-runs/{run_id}/cancel")
        await factory.wait_run(run_id)


@pytest.mark.parametrize(
    "case",
    ["paused", "terminated", "pending_approval", "company_paused", "policy_flag", "other_company", "missing"],
)
async def test_the_one_statement_wake_writes_nothing_unless_the_agent_is_admitted(app, factory, case):
    """Anything but a visible, invokable agent of an active company with no on-demand flag writes
    nothing and returns no row (the general path then answers 404/403/409/skipped)."""
    from paperclip.heartbeat.wakeups import queue_on_demand_wakeup

    company = await factory.company(status="paused" if case == "company_paused" else "active")
    status = case if case in ("paused", "terminated", "pending_approval") else "idle"
    # an explicit flag, even one that allows the wake, is the policy code's to read
    runtime = {"heartbeat": {"wakeOnDemand": True}} if case == "policy_flag" else None
    agent = await factory.agent(company, status=status, runtime=runtime)
    target = uuid.uuid4() if case == "missing" else agent
    companies = [uuid.uuid4()] if case == "other_company" else [company]
    row = await queue_on_demand_wakeup(
        app.state.read_pool,
        agent_id=target,
        companies=companies,
        trigger_detail="manual",
        reason=None,
        actor_type="user",
        actor_id="local-board",
        actor_agent_id=None,
        actor_run_id=None,
        force_fresh_session=False,
        now=utcnow(),
    )
    assert row is None
    assert await _written_for(factory, agent) == ([], [], [])


async def test_the_one_statement_wake_redacts_its_activity_and_scopes_to_the_actors_companies(
    app_with_runner, client, app, factory
):
    from paperclip.heartbeat.wakeups import queue_on_demand_wakeup

    company = await factory.company()
    agent = await factory.agent(company, config=SLEEP)
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    for companies in ([company], None):
        row = await queue_on_demand_wakeup(
            app.state.read_pool,
            agent_id=agent,
            companies=companies,
            trigger_detail="manual",
            reason=f"use {token}",
            actor_type="user",
            actor_id="u1",
            actor_agent_id=None,
            actor_run_id=None,
            force_fresh_session=False,
            now=utcnow(),
        )
        assert row is not None and row["status"] == "queued" and row["company_id"] == company
    _requests, runs, activity = await _written_for(factory, agent)
    assert len(runs) == 2 and len(activity) == 2
    assert all(token not in str(a.details) for a in activity)
    for run in runs:
        await client.post(f"/api/heartbeat-runs/{run.id}/cancel")
        await factory.wait_run(run.id)


async def test_a_wake_up_racing_a_pause_never_leaves_a_queued_run_behind(client, app, factory):
    """The one-statement wake-up share-locks the agent row: one that arrives while a pause is being
    committed waits for it and is then refused (409), instead of queueing a run the pause did not see."""
    from paperclip.agents.lifecycle import pause
    from paperclip.auth.actor import LOCAL_BOARD

    company = await factory.company()
    agent = await factory.agent(company, config=SLEEP)
    async with app.state.sessions() as pausing:
        await pause(
            pausing, LOCAL_BOARD, agent, utcnow()
        )  # agent row locked, queued work cancelled; not committed
        wake = asyncio.create_task(client.post(f"/api/agents/{agent}/wakeup", json={}))
        waiting = sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        async with app.state.read_sessions() as watch:
            for _ in range(
                500
            ):  # until the wake-up waits on the agent row (or, without the lock, has finished)
                if wake.done() or await watch.scalar(waiting):
                    break
                await asyncio.sleep(0.01)
        await pausing.commit()
    res = await wake
    assert res.status_code == 409 and res.json()["details"]["agentStatus"] == "paused", res.text
    assert (
        await factory.scalar(
            sa.select(sa.func.count())
            .select_from(HeartbeatRun)
            .where(HeartbeatRun.agent_id == agent, HeartbeatRun.status == "queued")
        )
        == 0
    )
