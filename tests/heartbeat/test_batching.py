"""Batched runner writes: several runs finalised in one statement, the journal's shared
transactions, and batch claims by two runners that together respect maxConcurrentRuns."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from hb_support import write_script

from paperclip.adapters.base import Usage
from paperclip.clock import utcnow
from paperclip.db.engine import unit_of_work
from paperclip.db.models import (
    Agent,
    AgentRuntimeState,
    AgentWakeupRequest,
    HeartbeatRun,
    HeartbeatRunEvent,
    Issue,
)
from paperclip.heartbeat.dispatch import Runner
from paperclip.heartbeat.finalize import RunOutcome, finalize_runs
from paperclip.heartbeat.journal import RunJournal
from paperclip.heartbeat.wakeups import request_wakeup


async def running_run(app, company, agent) -> SimpleNamespace:
    """A run already claimed (status running, its wake-up request claimed), as the runner holds it."""
    run_id, request_id, now = uuid.uuid4(), uuid.uuid4(), utcnow()
    async with unit_of_work(app.state.sessions) as session:
        await session.execute(
            sa.insert(AgentWakeupRequest).values(
                id=request_id,
                company_id=company,
                agent_id=agent,
                source="on_demand",
                status="claimed",
                run_id=run_id,
            )
        )
        await session.execute(
            sa.insert(HeartbeatRun).values(
                id=run_id,
                company_id=company,
                agent_id=agent,
                status="running",
                wakeup_request_id=request_id,
                started_at=now,
                runner_id="elsewhere",
                context_snapshot={},
            )
        )
        await session.execute(
            sa.insert(HeartbeatRunEvent).values(
                company_id=company, run_id=run_id, agent_id=agent, seq=1, message="run started"
            )
        )
        await session.execute(sa.update(Agent).where(Agent.id == agent).values(status="running"))
    return SimpleNamespace(
        id=run_id, company_id=company, agent_id=agent, wakeup_request_id=request_id, context={}
    )


async def test_runs_finalised_together_end_like_one_after_another(app, factory):
    company = await factory.company()
    busy, done = await factory.agent(company), await factory.agent(company)
    first = await running_run(app, company, busy)
    second = await running_run(app, company, busy)
    still = await running_run(app, company, busy)  # not in the batch: its agent stays running
    alone = await running_run(app, company, done)
    issue = await factory.issue(
        company, status="in_progress", checkout_run_id=first.id, execution_run_id=second.id
    )
    ok = RunOutcome(status="succeeded", exit_code=0, usage=Usage(10, 5, 1), log_bytes=0)
    bad = RunOutcome(
        status="failed",
        exit_code=2,
        error="Process exited with code 2",
        error_code="nonzero_exit",
        usage=Usage(1, 1, 0),
    )
    async with unit_of_work(app.state.sessions) as session:
        statuses = await finalize_runs(
            session, [(first, ok, "process"), (second, bad, "process"), (alone, bad, "process")], now=utcnow()
        )
    assert statuses == {first.id: "succeeded", second.id: "failed", alone.id: "failed"}

    runs = dict(
        await factory.rows(
            sa.select(HeartbeatRun.id, HeartbeatRun.status).where(
                HeartbeatRun.id.in_([first.id, second.id, still.id, alone.id])
            )
        )
    )
    assert runs == {first.id: "succeeded", second.id: "failed", still.id: "running", alone.id: "failed"}
    requests = dict(
        await factory.rows(
            sa.select(AgentWakeupRequest.run_id, AgentWakeupRequest.status).where(
                AgentWakeupRequest.run_id.in_([first.id, second.id, alone.id])
            )
        )
    )
    assert requests == {first.id: "completed", second.id: "failed", alone.id: "failed"}
    events = await factory.rows(
        sa.select(HeartbeatRunEvent.run_id, HeartbeatRunEvent.seq, HeartbeatRunEvent.message).where(
            HeartbeatRunEvent.run_id.in_([first.id, second.id])
        )
    )
    assert sorted((r.run_id == first.id, r.seq, r.message) for r in events) == [
        (False, 1, "run started"),
        (False, 2, "run failed"),
        (True, 1, "run started"),
        (True, 2, "run succeeded"),
    ]
    locks = (
        await factory.rows(sa.select(Issue.checkout_run_id, Issue.execution_run_id).where(Issue.id == issue))
    )[0]
    assert tuple(locks) == (None, None)

    agents = dict(await factory.rows(sa.select(Agent.id, Agent.status).where(Agent.id.in_([busy, done]))))
    assert agents == {busy: "running", done: "error"}
    state = await factory.scalar(sa.select(AgentRuntimeState).where(AgentRuntimeState.agent_id == busy))
    assert (state.last_run_id, state.last_run_status) == (
        second.id,
        "failed",
    )  # the batch's last run of the agent
    assert (state.total_input_tokens, state.total_output_tokens, state.total_cached_input_tokens) == (
        11,
        6,
        1,
    )

    async with unit_of_work(app.state.sessions) as session:
        await finalize_runs(session, [(still, ok, "process")], now=utcnow())
    assert await factory.scalar(sa.select(Agent.status).where(Agent.id == busy)) == "idle"


async def test_journal_writes_a_process_and_its_outcome_in_one_transaction_in_order(app, factory):
    company = await factory.company()
    agent = await factory.agent(company)
    run = await running_run(app, company, agent)
    journal = RunJournal(app.state.sessions)
    recorded = journal.record_process(run, 4242, "12345", {"adapterType": "process"})
    final = journal.finalize(run, RunOutcome(status="succeeded", exit_code=0), "process")
    assert await final == "succeeded"
    await recorded
    assert journal.transactions == 1
    row = (
        await factory.rows(
            sa.select(HeartbeatRun.process_pid, HeartbeatRun.process_started_at).where(
                HeartbeatRun.id == run.id
            )
        )
    )[0]
    assert tuple(row) == (4242, "12345")
    events = await factory.rows(
        sa.select(
            HeartbeatRunEvent.seq,
            HeartbeatRunEvent.event_type,
            HeartbeatRunEvent.message,
            HeartbeatRunEvent.payload,
        )
        .where(HeartbeatRunEvent.run_id == run.id)
        .order_by(HeartbeatRunEvent.seq)
    )
    assert [(e.seq, e.message) for e in events] == [
        (1, "run started"),
        (2, "adapter invocation"),
        (3, "run succeeded"),
    ]
    assert events[1].payload["pid"] == 4242


async def test_one_bad_item_does_not_fail_the_rest_of_its_batch(app, factory):
    company = await factory.company()
    good_runs = [await running_run(app, company, await factory.agent(company)) for _ in range(3)]
    bad = await running_run(app, company, await factory.agent(company))
    journal = RunJournal(app.state.sessions)
    broken = journal.record_process(bad, 2**40, None, {})  # out of the pid column's range
    finals = [
        journal.finalize(run, RunOutcome(status="succeeded", exit_code=0), "process") for run in good_runs
    ]
    assert await asyncio.gather(*finals) == ["succeeded"] * 3
    with pytest.raises(Exception):  # noqa: B017 - the database's error, whatever its class
        await broken
    assert (
        await factory.scalar(
            sa.select(sa.func.count())
            .select_from(HeartbeatRun)
            .where(HeartbeatRun.id.in_([r.id for r in good_runs]), HeartbeatRun.status == "succeeded")
        )
        == 3
    )


async def test_two_runners_claiming_in_batches_never_exceed_max_concurrent_runs(
    app_with_runner, app, factory, database_url, tmp_path
):
    """Each agent process registers itself in a directory and counts its agent's live processes: the
    largest count seen is the most processes of one agent alive at once."""
    slots, ledger = tmp_path / "slots", tmp_path / "ledger"
    slots.mkdir()
    script = write_script(
        tmp_path / "agent.py",
        f"""
        import os, time
        slots, me = {str(slots)!r}, os.environ["PAPERCLIP_AGENT_ID"] + "." + os.environ["PAPERCLIP_RUN_ID"]
        open(os.path.join(slots, me), "w").close()
        alive = sum(1 for name in os.listdir(slots) if name.startswith(os.environ["PAPERCLIP_AGENT_ID"]))
        fd = os.open({str(ledger)!r}, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.write(fd, (os.environ["PAPERCLIP_RUN_ID"] + " " + os.environ["PAPERCLIP_AGENT_ID"] + " " + str(alive) + "\\n").encode())
        time.sleep(0.15)
        os.remove(os.path.join(slots, me))
    """,
    )
    second = Runner(
        app.state.settings,
        database_url,
        runner_id=f"{socket.gethostname()}:{os.getpid()}:second",
        api_url="http://localhost:3100",
    )
    await second.start()
    try:
        company = await factory.company()
        limits = {}
        for limit in (1, 2, 3, 2, 1, 3):
            agent = await factory.agent(
                company, config={"command": str(script)}, runtime={"heartbeat": {"maxConcurrentRuns": limit}}
            )
            limits[agent] = limit
        run_ids = []
        async with unit_of_work(
            app.state.sessions
        ) as session:  # all queued at once: both runners race for them
            for agent in limits:
                for _ in range(6):
                    outcome = await request_wakeup(
                        session,
                        company_id=company,
                        agent_id=agent,
                        source="on_demand",
                        reason="batch",
                        now=utcnow(),
                    )
                    run_ids.append(outcome.run_id)

        async def keep_poking():  # both runners keep claiming, so they race for the same agents
            while True:
                second.poke()
                app.state.heartbeat.runner.poke()
                await asyncio.sleep(0.003)

        poker = asyncio.create_task(keep_poking())
        try:
            for run_id in run_ids:
                run = await factory.wait_run(run_id, timeout=120)
                assert run.status == "succeeded", run.error
        finally:
            poker.cancel()
        await second.journal.idle()
        lines = [line.split() for line in ledger.read_text().splitlines()]
        assert sorted(line[0] for line in lines) == sorted(
            str(r) for r in run_ids
        )  # each run ran exactly once
        most = {}
        for _run, agent, alive in lines:
            most[uuid.UUID(agent)] = max(most.get(uuid.UUID(agent), 0), int(alive))
        assert all(most[agent] <= limit for agent, limit in limits.items()), (most, limits)
        runners = {
            r
            for (r,) in await factory.rows(
                sa.select(HeartbeatRun.runner_id).where(HeartbeatRun.id.in_(run_ids))
            )
        }
        assert runners <= {app.state.replica_id, second.runner_id}
        statuses = {
            s for (s,) in await factory.rows(sa.select(Agent.status).where(Agent.id.in_(list(limits))))
        }
        assert statuses == {"idle"}
    finally:
        await second.stop()


async def test_the_journal_claims_an_agents_next_run_in_the_transaction_that_ends_its_run(database_url):
    """No runner here (only sessions on the database), so nothing else claims: an ended run's agent
    gets its next queued run (oldest first, within maxConcurrentRuns) in the same transaction, and a
    paused agent's queue stays put."""
    from factories import RowFactory

    from paperclip.db.engine import make_async_engine, session_factory
    from paperclip.heartbeat.runs import claim_for_locked_agents

    engine = make_async_engine(database_url, pool_max=4)
    try:
        app = SimpleNamespace(state=SimpleNamespace(sessions=session_factory(engine)))
        factory = RowFactory(app)
        company = await factory.company()
        busy, paused = await factory.agent(company), await factory.agent(company)
        ending = {agent: await running_run(app, company, agent) for agent in (busy, paused)}
        queued: dict[uuid.UUID, list[uuid.UUID]] = {}
        for agent in (busy, paused):
            for i in range(3):
                async with unit_of_work(app.state.sessions) as session:
                    outcome = await request_wakeup(
                        session,
                        company_id=company,
                        agent_id=agent,
                        source="on_demand",
                        reason=f"queued {i}",
                        now=utcnow(),
                    )
                queued.setdefault(agent, []).append(outcome.run_id)
        async with unit_of_work(app.state.sessions) as session:
            await session.execute(sa.update(Agent).where(Agent.id == paused).values(status="paused"))

        handed: list = []
        journal = RunJournal(
            app.state.sessions,
            on_claimed=handed.extend,
            claim_next=lambda session, agents, now: claim_for_locked_agents(
                session, agents, runner_id="journal", now=now
            ),
        )
        ok = RunOutcome(status="succeeded", exit_code=0)
        assert await asyncio.gather(
            *[journal.finalize(ending[a], ok, "process") for a in (busy, paused)]
        ) == ["succeeded", "succeeded"]
        assert journal.transactions == 1
        assert [r.id for r in handed] == [queued[busy][0]]
        assert handed[0].agent_id == busy and handed[0].adapter_config == {"command": "true"}

        runs = dict(
            await factory.rows(
                sa.select(HeartbeatRun.id, HeartbeatRun.status).where(
                    HeartbeatRun.id.in_([*queued[busy], *queued[paused]])
                )
            )
        )
        assert runs == {
            queued[busy][0]: "running",
            queued[busy][1]: "queued",
            queued[busy][2]: "queued",
            **{r: "queued" for r in queued[paused]},
        }
        claimed = (
            await factory.rows(
                sa.select(HeartbeatRun.runner_id, AgentWakeupRequest.status)
                .join(AgentWakeupRequest, AgentWakeupRequest.id == HeartbeatRun.wakeup_request_id)
                .where(HeartbeatRun.id == queued[busy][0])
            )
        )[0]
        assert tuple(claimed) == ("journal", "claimed")
        agents = dict(
            await factory.rows(sa.select(Agent.id, Agent.status).where(Agent.id.in_([busy, paused])))
        )
        assert agents == {busy: "running", paused: "paused"}
        events = await factory.rows(
            sa.select(HeartbeatRunEvent.message).where(HeartbeatRunEvent.run_id == queued[busy][0])
        )
        assert [e.message for e in events] == ["run started"]

        # ending that run hands on the next one; a journal without claim_next leaves the queue to the pump
        assert await journal.finalize(handed[0], ok, "process") == "succeeded"
        assert [r.id for r in handed] == queued[busy][:2]
        plain = RunJournal(app.state.sessions)
        assert await plain.finalize(handed[1], ok, "process") == "succeeded"
        assert (
            await factory.scalar(sa.select(HeartbeatRun.status).where(HeartbeatRun.id == queued[busy][2]))
            == "queued"
        )
        assert await factory.scalar(sa.select(Agent.status).where(Agent.id == busy)) == "idle"
    finally:
        await engine.dispose()


async def test_a_run_claimed_while_the_runner_stops_is_queued_again_and_another_runner_runs_it(
    database_url, settings, tmp_path
):
    """Was: failed with control_plane_restart, so a rolling deploy lost the work it had just claimed."""
    from factories import RowFactory

    from paperclip.heartbeat.runs import claim_for_locked_agents, lock_agents

    marker = tmp_path / "spawned"
    runner = Runner(settings, database_url, runner_id="stopping", api_url="http://localhost:3100")
    await runner.start(listen=False)
    other = None
    try:
        factory = RowFactory(sessions=runner.sessions)
        company = await factory.company()
        agent = await factory.agent(
            company, config={"command": "/bin/sh", "args": ["-c", f"echo $$ > {marker}"]}
        )
        async with unit_of_work(runner.sessions) as session:
            outcome = await request_wakeup(
                session, company_id=company, agent_id=agent, source="on_demand", reason="late", now=utcnow()
            )
        runner._stopping = True  # as stop() begins, with a journal batch still committing its claims
        async with unit_of_work(runner.sessions) as session:
            await lock_agents(session, [agent])
            claimed = await claim_for_locked_agents(session, [agent], runner_id="stopping", now=utcnow())
        assert [c.id for c in claimed] == [outcome.run_id]
        runner._start_claimed(claimed)
        for _ in range(200):
            if outcome.run_id not in runner.active:
                break
            await asyncio.sleep(0.05)
        assert outcome.run_id not in runner.active
        run = (await factory.rows(sa.select(HeartbeatRun).where(HeartbeatRun.id == outcome.run_id)))[0][0]
        assert (run.status, run.runner_id, run.started_at, run.error_code) == ("queued", None, None, None)
        assert not marker.exists()
        assert (
            await factory.scalar(
                sa.select(AgentWakeupRequest.status).where(AgentWakeupRequest.id == run.wakeup_request_id)
            )
            == "queued"
        )
        assert await factory.scalar(sa.select(Agent.status).where(Agent.id == agent)) == "idle"
        assert (
            await factory.scalar(
                sa.select(sa.func.count())
                .select_from(HeartbeatRunEvent)
                .where(HeartbeatRunEvent.run_id == run.id)
            )
            == 0
        )

        other = Runner(settings, database_url, runner_id="survivor", api_url="http://localhost:3100")
        await other.start(listen=False)
        other.poke()
        done = await factory.wait_run(outcome.run_id)
        assert (done.status, done.runner_id) == ("succeeded", "survivor")
        assert marker.exists()
        events = await factory.rows(
            sa.select(HeartbeatRunEvent.seq, HeartbeatRunEvent.message)
            .where(HeartbeatRunEvent.run_id == run.id)
            .order_by(HeartbeatRunEvent.seq)
        )
        assert events[0] == (1, "run started")
    finally:
        await runner.stop()
        if other is not None:
            await other.stop()
