"""The scheduler tick enqueues due timer wakes and records the replica's tick; run list filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from paperclip.db.models import HeartbeatRun, SchedulerHeartbeat
from paperclip.heartbeat.tick import scheduler_tick


async def test_tick_enqueues_due_timer_wakes_and_records_the_replica(app_with_runner, client, app, factory):
    company = await factory.company()
    old = datetime.now(UTC) - timedelta(hours=1)
    due = await factory.agent(
        company, runtime={"heartbeat": {"enabled": True, "intervalSec": 60}}, last_heartbeat_at=old
    )
    fresh = await factory.agent(
        company,
        runtime={"heartbeat": {"enabled": True, "intervalSec": 3600}},
        last_heartbeat_at=datetime.now(UTC),
    )
    off = await factory.agent(
        company, runtime={"heartbeat": {"enabled": False, "intervalSec": 60}}, last_heartbeat_at=old
    )
    result = await scheduler_tick(app.state.heartbeat, datetime.now(UTC))
    assert result["timers"]["enqueued"] == 1
    runs = await factory.rows(
        sa.select(HeartbeatRun.id, HeartbeatRun.agent_id, HeartbeatRun.invocation_source)
    )
    assert [(r.agent_id, r.invocation_source) for r in runs] == [(due, "timer")]
    run = await factory.wait_run(runs[0].id)
    assert run.status == "succeeded" and run.context_snapshot["wakeReason"] == "heartbeat_timer"
    again = await scheduler_tick(app.state.heartbeat, datetime.now(UTC))  # just ran: not due any more
    assert again["timers"]["enqueued"] == 0
    beat = await factory.scalar(
        sa.select(SchedulerHeartbeat).where(SchedulerHeartbeat.replica_id == app.state.replica_id)
    )
    assert beat.ticks >= 2 and beat.last_tick_at is not None
    replicas = (await client.get("/api/instance/scheduler-replicas")).json()
    assert app.state.replica_id in [r["replicaId"] for r in replicas]
    agents = {a["id"]: a for a in (await client.get("/api/instance/scheduler-heartbeats")).json()}
    assert agents[str(due)]["heartbeatEnabled"] and agents[str(due)]["intervalSec"] == 60
    assert not agents[str(off)]["heartbeatEnabled"] and agents[str(fresh)]["schedulerActive"]


async def test_company_run_list_filters_by_agent_and_status(app_with_runner, client, factory):
    company = await factory.company()
    ok = await factory.agent(company, config={"command": "true"})
    bad = await factory.agent(company, config={"command": "false"})
    ids = [(await client.post(f"/api/agents/{a}/wakeup", json={})).json()["id"] for a in (ok, bad)]
    for run_id in ids:
        await factory.wait_run(run_id)
    everything = (await client.get(f"/api/companies/{company}/heartbeat-runs")).json()
    assert {r["id"] for r in everything} == set(ids)
    failed = (
        await client.get(f"/api/companies/{company}/heartbeat-runs", params={"status": "failed"})
    ).json()
    assert [r["agentId"] for r in failed] == [str(bad)]
    mine = (
        await client.get(f"/api/companies/{company}/heartbeat-runs", params={"agentId": str(ok), "limit": 1})
    ).json()
    assert [r["id"] for r in mine] == [ids[0]]
    missing = await client.get("/api/heartbeat-runs/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"] == "Heartbeat run not found"
