"""Each start-up refusal exits non-zero with one line naming the setting to fix (deploy §4.2)."""

from __future__ import annotations

import socket
from pathlib import Path

from .conftest import error_line, free_port


def test_run_without_config_on_a_non_interactive_terminal(start):
    server = start("run")
    assert server.finish() == 1
    assert "No config found and terminal is non-interactive." in error_line(server.stderr)


def test_local_trusted_refuses_a_non_loopback_host(start, onboard):
    onboard("local_trusted")
    server = start("run", env={"HOST": "0.0.0.0", "PORT": str(free_port())})
    assert server.finish() != 0
    line = error_line(server.stderr)
    assert "local_trusted requires server.bind=loopback" in line and "HOST=0.0.0.0" in line


def test_authenticated_public_needs_the_public_url(start, onboard):
    onboard("authenticated")
    env = {
        "PAPERCLIP_DEPLOYMENT_EXPOSURE": "public",
        "HOST": "127.0.0.1",
        "BETTER_AUTH_SECRET": "x" * 32,
        "PORT": str(free_port()),
    }
    server = start("run", env=env)
    assert server.finish() != 0
    assert "PAPERCLIP_AUTH_BASE_URL_MODE=explicit" in error_line(server.stderr)
    explicit = start("run", env={**env, "PAPERCLIP_AUTH_BASE_URL_MODE": "explicit"})
    assert explicit.finish() != 0
    line = error_line(explicit.stderr)
    assert "auth.publicBaseUrl is required" in line and "PAPERCLIP_AUTH_PUBLIC_BASE_URL" in line


def test_authenticated_without_any_secret_is_refused(start, onboard, database_url: str, paperclip_home: Path):
    onboard("authenticated")
    (paperclip_home / "instances" / "default" / ".env").unlink()
    server = start(
        "run",
        "--no-repair",
        env={"HOST": "127.0.0.1", "PORT": str(free_port()), "DATABASE_URL": database_url},
    )
    assert server.finish() != 0
    assert "BETTER_AUTH_SECRET (or PAPERCLIP_AGENT_JWT_SECRET) must be set" in server.stderr
    assert error_line(server.stderr) == "Error: Doctor found blocking issues. Not starting server."


def test_authenticated_refuses_a_busy_port(start, onboard, database_url: str):
    onboard("authenticated")
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen(1)
        server = start("run", env={"HOST": "127.0.0.1", "PORT": str(port), "DATABASE_URL": database_url})
        assert server.finish() != 0
    line = error_line(server.stderr)
    assert f"Port {port} on 127.0.0.1 is already in use" in line and "PORT" in line


def test_pending_migrations_with_prompt_never_are_refused(start, onboard, pg_server: str):
    import uuid

    import psycopg

    name = f"empty_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE keep_me (id int)")  # not empty: no automatic first migration
    onboard("local_trusted")
    server = start(
        "run", env={"PORT": str(free_port()), "DATABASE_URL": url, "PAPERCLIP_MIGRATION_PROMPT": "never"}
    )
    try:
        assert server.finish() != 0
        line = error_line(server.stderr)
        assert "pending migrations" in line and "PAPERCLIP_MIGRATION_AUTO_APPLY=true" in line
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
