"""The heartbeat runtime without a web application (issue 9 part 2): the background process's life is
its Database (write sessions and the runner's pool, no API pools) and a HeartbeatRuntime that owns
the runner, the scheduler and the other loops, with start()/stop()."""

from __future__ import annotations

from factories import RowFactory

from paperclip.clock import utcnow
from paperclip.db.database import Database
from paperclip.db.engine import unit_of_work
from paperclip.heartbeat.dispatch import Runner
from paperclip.heartbeat.wakeups import request_wakeup
from paperclip.server.lifecycle import background_process


async def test_the_background_process_runs_heartbeats_without_an_app(settings, database_url):
    async with background_process(
        settings,
        database_url,
        replica_id="test-host:1:background",
        listen_port=3100,
        api_url="http://localhost:3100",
        freeze_heap=False,
    ) as runtime:
        assert runtime is not None and runtime.runner is not None
        database = runtime.database
        assert database.role == "background"
        assert (
            database.read_pool is None and database.read_sessions is None and database.health_sessions is None
        )
        assert runtime.runner.sessions is database.run_sessions and runtime.runner.engine is None
        factory = RowFactory(sessions=database.sessions)
        company = await factory.company()
        agent = await factory.agent(company)
        async with unit_of_work(database.sessions) as session:
            outcome = await request_wakeup(
                session, company_id=company, agent_id=agent, source="on_demand", reason="test", now=utcnow()
            )
        run = await factory.wait_run(outcome.run_id)
        assert run.status == "succeeded"
        result = await runtime.tick(utcnow())  # the scheduler's tick, on the runtime alone
        assert "timers" in result and "reaped" in result
    assert runtime.runner is None and runtime.scheduler is None and not runtime.background


async def test_every_engine_hides_sql_parameters(settings, database_url):
    """Parameters (tokens, bodies) never appear in logged errors: true of the runner's pool too."""
    database = await Database.open(settings, database_url, role="all")
    try:
        assert database.run_sessions is not None and database.read_pool is not None
        assert len(database._engines) == 4
        assert all(engine.sync_engine.hide_parameters for engine in database._engines)
    finally:
        await database.close()
    runner = Runner(settings, database_url, runner_id="test-host:1:own", api_url="http://localhost:3100")
    await runner.start(listen=False)
    try:
        assert runner.engine is not None and runner.engine.sync_engine.hide_parameters
    finally:
        await runner.stop()


async def test_an_http_worker_has_no_runner_pool(settings, database_url):
    database = await Database.open(settings, database_url, role="http")
    try:
        assert database.run_sessions is None and database.read_sessions is not None
    finally:
        await database.close()
