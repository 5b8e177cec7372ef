"""SQL helpers shared by the routines tests: move a trigger's next run, read triggers and routine runs,
one routines tick (routines and schedules themselves: tests/factories.py)."""

from __future__ import annotations


def set_next_run(database_url, trigger_id, at):
    import psycopg

    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE routine_triggers SET next_run_at = %s WHERE id = %s", (at, trigger_id))


def trigger_row(database_url, trigger_id):
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT next_run_at, last_fired_at, last_result FROM routine_triggers WHERE id = %s",
            (trigger_id,),
        ).fetchone()


def runs_of(database_url, routine_id):
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT status, source, trigger_payload->>'scheduledFor', linked_issue_id FROM routine_runs "
            "WHERE routine_id = %s ORDER BY created_at, trigger_payload->>'scheduledFor'",
            (routine_id,),
        ).fetchall()


async def tick(app, now):
    from paperclip.db.engine import unit_of_work
    from paperclip.routines.scheduler import tick_routines

    async with unit_of_work(app.state.sessions) as session:
        return await tick_routines(session, now)
