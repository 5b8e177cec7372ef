"""Alembic migrations: start-up policy (reference §11.3), `paperclipai db migrate`, concurrency."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from paperclip.db.migrate import run_migrations, startup_migrations
from paperclip.errors import StartupError

from .conftest import cli_env, free_port, query, run_cli

pytestmark = pytest.mark.timeout(180)


def startup(url: str, **overrides) -> str:
    options = {
        "prepared_statements": False,
        "fresh_cluster": False,
        "auto_apply": False,
        "prompt_never": False,
        "label": "DATABASE_URL",
        "interactive": False,
    }
    options.update(overrides)
    return startup_migrations(url, **options)


def head_revision(url: str) -> str:
    return query(url, "SELECT version_num FROM alembic_version")[0][0]


def make_stale(url: str) -> None:
    """A database with data but no migration history: pending migrations that are not a first run."""
    query(url, "CREATE TABLE legacy_notes (id int)")


def test_empty_database_gets_the_schema(empty_database):
    assert startup(empty_database) == "applied (empty database)"
    assert query(
        empty_database, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'companies'"
    ) == [(1,)]


def test_current_database_is_a_no_op(database_url):
    revision = head_revision(database_url)
    assert startup(database_url, prompt_never=True) == "already applied"
    assert head_revision(database_url) == revision


def test_prompt_never_refuses_a_stale_schema(empty_database):
    make_stale(empty_database)
    with pytest.raises(StartupError) as raised:
        startup(empty_database, prompt_never=True)
    assert "Refusing to start against a stale schema" in raised.value.message
    assert "DATABASE_URL has pending migrations" in raised.value.message
    assert "PAPERCLIP_MIGRATION_AUTO_APPLY=true" in raised.value.message
    assert query(
        empty_database, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'alembic_version'"
    ) == [(0,)]


def test_auto_apply_wins_over_prompt_never(empty_database):
    make_stale(empty_database)
    assert startup(empty_database, prompt_never=True, auto_apply=True) == "applied (pending migrations)"
    assert query(empty_database, "SELECT count(*) FROM legacy_notes") == [(0,)]


def test_non_interactive_start_applies_pending_migrations(empty_database):
    make_stale(empty_database)
    assert startup(empty_database, interactive=False) == "applied (pending migrations)"


def test_server_refuses_to_start_on_stale_schema_with_prompt_never(empty_database, tmp_path):
    make_stale(empty_database)
    env = cli_env(
        tmp_path / "home",
        DATABASE_URL=empty_database,
        PAPERCLIP_DEPLOYMENT_MODE="local_trusted",
        PAPERCLIP_MIGRATION_PROMPT="never",
        PORT=str(free_port()),
    )
    result = run_cli("run", env=env, cwd=tmp_path, timeout=60)
    assert result.returncode != 0
    assert "Refusing to start against a stale schema" in result.stderr + result.stdout


def test_db_migrate_cli_applies_through_a_direct_url(empty_database, tmp_path):
    env = cli_env(tmp_path / "home", DATABASE_URL="postgres://nobody:wrong@127.0.0.1:1/unused?pgbouncer=true")
    result = run_cli("db", "migrate", "--url", empty_database, "--json", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["applied"] and report["current"] == report["head"]
    assert "paperclip:***@" in report["database"]

    again = run_cli("db", "migrate", "--url", empty_database, "--json", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.strip().splitlines()[-1])["applied"] == []


def test_db_migrate_cli_uses_migration_database_url(empty_database, tmp_path):
    env = cli_env(
        tmp_path / "home",
        DATABASE_URL="postgres://nobody:wrong@127.0.0.1:1/unused",
        PAPERCLIP_MIGRATION_DATABASE_URL=empty_database,
    )
    result = run_cli("db", "migrate", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Applied" in result.stdout


def test_two_concurrent_migrators_do_not_conflict(empty_database):
    results, errors = [], []

    def migrate() -> None:
        try:
            results.append(run_migrations(empty_database))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert all(after.up_to_date for _, after in results)
    assert query(empty_database, "SELECT count(*) FROM alembic_version") == [(1,)]


def test_two_concurrent_migrate_commands_do_not_conflict(empty_database, tmp_path):
    env = cli_env(tmp_path / "home")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "paperclip", "db", "migrate", "--url", empty_database],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(proc.wait(timeout=120), proc.stderr.read()) for proc in procs]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert query(empty_database, "SELECT count(*) FROM alembic_version") == [(1,)]


def test_head_read_from_version_files_agrees_with_alembic():
    from alembic.script import ScriptDirectory

    from paperclip.db.migrate import alembic_config, linear_head

    assert linear_head() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_warm_start_on_a_current_schema_does_not_load_alembic(database_url):
    """Alembic's import is a noticeable part of start-up; a current schema must not need it."""
    code = (
        "import sys; from paperclip.db.migrate import startup_migrations; "
        f"print(startup_migrations({database_url!r}, prepared_statements=False, fresh_cluster=False, "
        "auto_apply=False, prompt_never=True, label='DATABASE_URL')); print('alembic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["already", "applied", "False"], result.stderr


def test_startup_migrations_use_the_direct_migration_url(make_settings, empty_database):
    """The guide's split: the app on the pooler (unreachable here on purpose), schema changes direct."""
    from paperclip.server.database import start_database

    settings = make_settings(
        {
            "DATABASE_URL": "postgresql://nobody:wrong@127.0.0.1:1/pooled?pgbouncer=true",
            "PAPERCLIP_MIGRATION_DATABASE_URL": empty_database,
        }
    )
    database = start_database(settings)
    assert database.embedded is None
    assert database.migrations == "applied (empty database)"
    assert query(empty_database, "SELECT count(*) FROM alembic_version") == [(1,)]


def test_migrated_schema_matches_the_models(database_url):
    """Migrations are history: every model change needs a new revision (scripts/new-migration).
    A database migrated from empty must equal the models exactly."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import paperclip.db.models  # noqa: F401  (registers every table)
    from paperclip.db.base import Base
    from paperclip.db.engine import make_sync_engine

    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations disagree; add a revision with scripts/new-migration: {diff}"


def test_history_is_one_chain_with_a_frozen_start():
    """One head (parallel branches must be re-chained before landing) and 0001 never regenerated."""
    import hashlib

    from alembic.script import ScriptDirectory

    from paperclip.db.migrate import MIGRATIONS_DIR, alembic_config

    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1
    initial = (MIGRATIONS_DIR / "versions" / "0001_initial_schema.py").read_bytes()
    assert hashlib.sha256(initial).hexdigest() == INITIAL_SCHEMA_SHA256, (
        "0001 is released history: add a revision instead"
    )


INITIAL_SCHEMA_SHA256 = "dee16e4a68bb97be7fd1214c6297323632738c2f3fc2d8cf25be991aa33b74eb"
