"""Schedule triggers fired by the scheduler tick at a chosen `now`: every minute, DST changes,
catch-up after downtime per policy, concurrency policies, and two ticks racing on two connections."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import psycopg
from routine_support import runs_of, set_next_run, tick, trigger_row

from paperclip.db.engine import unit_of_work
from paperclip.routines.cron import next_run_after
from paperclip.routines.scheduler import MISSED_CAP, tick_routines


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


async def test_every_minute_fires_once_per_window_and_wakes_the_assignee(
    api, app, client, company, database_url
):
    routine = await api.routine(
        company["id"], assigneeAgentId=company["agent"], title="Minute", concurrencyPolicy="always_enqueue"
    )
    trigger = await api.schedule(routine["id"], "* * * * *")
    t0 = utc(2030, 1, 1, 9, 0)
    set_next_run(database_url, trigger["id"], t0)
    assert (await tick(app, t0 - timedelta(seconds=1)))["runs"] == 0  # not yet due
    result = await tick(app, t0)
    assert (result["triggers"], result["runs"], result["issue_created"]) == (1, 1, 1)
    assert trigger_row(database_url, trigger["id"])[0] == t0 + timedelta(minutes=1)
    assert (await tick(app, t0 + timedelta(seconds=30)))["runs"] == 0  # the same window never twice
    assert (await tick(app, t0 + timedelta(minutes=1)))["runs"] == 1
    runs = runs_of(database_url, routine["id"])
    assert [(r[0], r[1], r[2]) for r in runs] == [
        ("issue_created", "schedule", "2030-01-01T09:00:00.000Z"),
        ("issue_created", "schedule", "2030-01-01T09:01:00.000Z"),
    ]
    issue = (await client.get(f"/api/issues/{runs[0][3]}")).json()
    assert (issue["originKind"], issue["createdByUserId"], issue["assigneeAgentId"]) == (
        "routine_execution",
        None,
        company["agent"],
    )
    assert [r["agentId"] for r in (await client.get(f"/api/issues/{issue['id']}/runs")).json()] == [
        company["agent"]
    ]
    detail = (await client.get(f"/api/routines/{routine['id']}")).json()
    assert detail["triggers"][0]["lastResult"].startswith("Created execution issue")
    assert detail["lastTriggeredAt"] is not None and detail["lastEnqueuedAt"] is not None


async def test_dst_spring_forward_and_fall_back_new_york(api, app, client, company, database_url):
    routine = await api.routine(
        company["id"], assigneeAgentId=company["agent"], title="Night", concurrencyPolicy="always_enqueue"
    )
    trigger = await api.schedule(routine["id"], "30 2 * * *", "America/New_York")
    # 2026-03-08: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist and runs right after the jump
    assert next_run_after("30 2 * * *", "America/New_York", utc(2026, 3, 6, 12, 0)) == utc(
        2026, 3, 7, 7, 30
    )  # EST
    assert next_run_after("30 2 * * *", "America/New_York", utc(2026, 3, 7, 12, 0)) == utc(
        2026, 3, 8, 7, 0
    )  # 03:00 EDT
    set_next_run(database_url, trigger["id"], utc(2026, 3, 8, 7, 0))
    assert (await tick(app, utc(2026, 3, 8, 7, 0)))["runs"] == 1
    assert trigger_row(database_url, trigger["id"])[0] == utc(2026, 3, 9, 6, 30)  # 02:30 EDT
    # 2026-11-01: 01:30 happens twice (EDT, then EST); a 01:30 schedule runs once
    await client.patch(f"/api/routine-triggers/{trigger['id']}", json={"enabled": False})
    fall = await api.schedule(routine["id"], "30 1 * * *", "America/New_York")
    set_next_run(database_url, fall["id"], utc(2026, 11, 1, 5, 30))
    assert (await tick(app, utc(2026, 11, 1, 5, 30)))["runs"] == 1
    assert trigger_row(database_url, fall["id"])[0] == utc(2026, 11, 2, 6, 30)  # next day 01:30 EST
    assert (await tick(app, utc(2026, 11, 1, 6, 30)))["runs"] == 0  # the repeated 01:30 EST: nothing


async def test_dst_hourly_schedule_berlin_follows_real_time(api, app, client, company, database_url):
    routine = await api.routine(
        company["id"], assigneeAgentId=company["agent"], title="Hourly", concurrencyPolicy="always_enqueue"
    )
    trigger = await api.schedule(routine["id"], "0 * * * *", "Europe/Berlin")
    # 2026-10-25 03:00 CEST → 02:00 CET: the wall clock shows 02:00 twice, an hourly job runs every real hour
    now = utc(2026, 10, 24, 23, 0)
    set_next_run(database_url, trigger["id"], now)
    fired = []
    for _ in range(4):
        result = await tick(app, now)
        fired.append(result["runs"])
        now = trigger_row(database_url, trigger["id"])[0]
    assert fired == [1, 1, 1, 1]
    times = [r[2] for r in runs_of(database_url, routine["id"])]
    assert times == [
        "2026-10-24T23:00:00.000Z",
        "2026-10-25T00:00:00.000Z",
        "2026-10-25T01:00:00.000Z",
        "2026-10-25T02:00:00.000Z",
    ]


async def test_missed_windows_skip_missed_fires_the_latest_once(api, app, client, company, database_url):
    routine = await api.routine(
        company["id"],
        assigneeAgentId=company["agent"],
        title="Hourly skip",
        concurrencyPolicy="always_enqueue",
    )
    trigger = await api.schedule(routine["id"], "0 * * * *")
    set_next_run(database_url, trigger["id"], utc(2030, 1, 1, 10, 0))
    result = await tick(app, utc(2030, 1, 1, 15, 30))  # down from 10:00 to 15:30
    assert result["runs"] == 1
    assert [r[2] for r in runs_of(database_url, routine["id"])] == ["2030-01-01T15:00:00.000Z"]
    assert trigger_row(database_url, trigger["id"])[0] == utc(2030, 1, 1, 16, 0)


async def test_missed_windows_enqueue_with_cap(api, app, client, company, database_url):
    routine = await api.routine(
        company["id"],
        assigneeAgentId=company["agent"],
        title="Hourly catch-up",
        concurrencyPolicy="always_enqueue",
        catchUpPolicy="enqueue_missed_with_cap",
    )
    trigger = await api.schedule(routine["id"], "0 * * * *")
    set_next_run(database_url, trigger["id"], utc(2030, 1, 1, 10, 0))
    assert (await tick(app, utc(2030, 1, 1, 15, 30)))["issue_created"] == 6
    assert [r[2][11:13] for r in runs_of(database_url, routine["id"])] == ["10", "11", "12", "13", "14", "15"]
    # a long downtime catches up only the latest MISSED_CAP windows
    capped = await api.routine(
        company["id"],
        assigneeAgentId=company["agent"],
        title="Minute catch-up",
        catchUpPolicy="enqueue_missed_with_cap",
    )
    minute = await api.schedule(capped["id"], "* * * * *")
    set_next_run(database_url, minute["id"], utc(2030, 1, 1, 0, 0))
    result = await tick(app, utc(2030, 1, 3, 0, 0))
    assert result["runs"] == 2 * MISSED_CAP  # this trigger and the hourly one, each capped
    runs = runs_of(database_url, capped["id"])
    assert len(runs) == MISSED_CAP and runs[-1][2] == "2030-01-03T00:00:00.000Z"
    # coalesce_if_active (the default): one issue, the other windows coalesced into it
    assert [r[0] for r in runs].count("issue_created") == 1 and [r[0] for r in runs].count(
        "coalesced"
    ) == MISSED_CAP - 1
    assert len({r[3] for r in runs}) == 1


async def test_skip_if_active_on_schedule_and_paused_routines_do_not_fire(
    api, app, client, company, database_url
):
    routine = await api.routine(
        company["id"], assigneeAgentId=company["agent"], title="Skip", concurrencyPolicy="skip_if_active"
    )
    trigger = await api.schedule(routine["id"], "*/5 * * * *")
    t0 = utc(2030, 1, 1, 9, 0)
    set_next_run(database_url, trigger["id"], t0)
    await tick(app, t0)
    await tick(app, t0 + timedelta(minutes=5))
    assert [r[0] for r in runs_of(database_url, routine["id"])] == ["issue_created", "skipped"]
    await client.patch(f"/api/routines/{routine['id']}", json={"status": "paused"})
    set_next_run(database_url, trigger["id"], t0 + timedelta(minutes=10))  # even if a time were left behind
    assert (await tick(app, t0 + timedelta(minutes=10)))["runs"] == 0


async def test_required_variable_without_value_fails_the_run_not_the_tick(
    api, app, client, company, database_url
):
    ok = await api.routine(company["id"], assigneeAgentId=company["agent"], title="Fine")
    broken = await api.routine(
        company["id"],
        assigneeAgentId=company["agent"],
        title="About {{topic}}",
        variables=[{"name": "topic", "defaultValue": "x"}],
    )
    t_ok = await api.schedule(ok["id"], "* * * * *")
    t_broken = await api.schedule(broken["id"], "* * * * *")
    with psycopg.connect(database_url) as conn:  # the default removed after the trigger was made
        conn.execute(
            'UPDATE routines SET variables = \'[{"name": "topic", "required": true}]\' WHERE id = %s',
            (broken["id"],),
        )
    t0 = utc(2030, 1, 1, 9, 0)
    set_next_run(database_url, t_ok["id"], t0)
    set_next_run(database_url, t_broken["id"], t0)
    result = await tick(app, t0)
    assert (result["runs"], result["issue_created"], result["failed"]) == (2, 1, 1)
    failed = (await client.get(f"/api/routines/{broken['id']}/runs")).json()[0]
    assert (failed["status"], failed["failureReason"]) == ("failed", "Missing routine variables: topic")


async def test_two_ticks_on_two_connections_fire_once(api, app, client, company, database_url):
    routines = [
        await api.routine(
            company["id"], assigneeAgentId=company["agent"], title=f"R{i}", concurrencyPolicy="always_enqueue"
        )
        for i in range(6)
    ]
    t0 = utc(2030, 1, 1, 9, 0)
    for routine in routines:
        trigger = await api.schedule(routine["id"], "* * * * *")
        set_next_run(database_url, trigger["id"], t0)
    # A claims and has not committed yet: B, on another connection, finds nothing to fire
    async with unit_of_work(app.state.sessions) as session_a:
        first = await tick_routines(session_a, t0)
        assert first["runs"] == 6
        async with unit_of_work(app.state.sessions) as session_b:
            assert (await tick_routines(session_b, t0))["runs"] == 0
    # after A's commit the windows are gone for everyone
    assert (await tick(app, t0))["runs"] == 0
    # and racing for real: both at once on the next window, each trigger fired by exactly one of them
    results = await asyncio.gather(tick(app, t0 + timedelta(minutes=1)), tick(app, t0 + timedelta(minutes=1)))
    assert results[0]["runs"] + results[1]["runs"] == 6
    with psycopg.connect(database_url) as conn:
        per_window = conn.execute(
            "SELECT trigger_id, trigger_payload->>'scheduledFor', count(*) FROM routine_runs "
            "GROUP BY 1, 2 HAVING count(*) > 1"
        ).fetchall()
        total = conn.execute("SELECT count(*) FROM routine_runs").fetchone()[0]
    assert per_window == [] and total == 12


async def test_the_heartbeat_scheduler_tick_runs_the_routine_tick(
    api, heartbeat, client, company, database_url
):
    routine = await api.routine(company["id"], assigneeAgentId=company["agent"], title="Via the loop")
    trigger = await api.schedule(routine["id"], "* * * * *")
    t0 = utc(2030, 1, 1, 9, 0)
    set_next_run(database_url, trigger["id"], t0)
    result = await heartbeat.tick(t0)
    assert result["routines"]["issue_created"] == 1
