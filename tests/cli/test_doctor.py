"""`paperclipai doctor`: one line per check, hints, summary, exit code, and each repair."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import stat
from pathlib import Path

import psycopg
import pytest

from paperclip.config.store import read_env_file, update_env_file


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def line(output: str, name: str) -> str:
    """The result line of one check (marks: ✓ pass, ! warn, ✗ fail)."""
    found = [row for row in output.splitlines() if re.match(rf"^[✓!✗] {re.escape(name)}: ", row)]
    assert len(found) == 1, output
    return found[0]


def hint_after(output: str, name: str) -> str:
    rows = output.splitlines()
    return rows[rows.index(line(output, name)) + 1].strip()


@pytest.fixture
def onboarded(cli, database_url: str, instance_dir: Path):
    """An onboarded instance on the test database, with a free port."""
    assert cli("onboard").returncode == 0
    port = _free_port()
    result = cli("configure", "-s", "server", "--set", f"port={port}")
    assert result.returncode == 0, result.stderr
    return {"DATABASE_URL": database_url}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_missing_config_fails_and_stops(cli_process):
    result = cli_process("doctor")
    assert result.returncode == 1
    assert line(result.stdout, "Config file").startswith("✗ Config file: Config file not found at ")
    assert hint_after(result.stdout, "Config file") == "Run `paperclipai onboard`"
    assert "0 passed, 0 warnings, 1 failed" in result.stdout
    assert "Some checks failed. Fix the issues above and re-run doctor." in result.stdout
    assert "Database:" not in result.stdout


def test_invalid_config_fails_and_stops(cli, instance_dir: Path):
    instance_dir.mkdir(parents=True)
    (instance_dir / "config.json").write_text(
        json.dumps(
            {
                "$meta": {"version": 1, "updatedAt": "x", "source": "onboard"},
                "server": {"deploymentMode": "local_trusted", "exposure": "public"},
            }
        )
    )
    result = cli("doctor")
    assert result.returncode == 1
    assert "server.exposure must be private when deploymentMode is local_trusted" in line(
        result.stdout, "Config file"
    )
    assert "1 failed" in result.stdout and "Storage:" not in result.stdout


def test_healthy_instance_passes_every_check(cli_process, onboarded):
    result = cli_process("doctor", env=onboarded)
    assert result.returncode == 0, result.stdout
    for name in (
        "Config file",
        "Deployment/auth mode",
        "Agent JWT secret",
        "Secrets adapter",
        "Storage",
        "Log directory",
        "Server port",
    ):
        assert line(result.stdout, name).startswith("✓"), result.stdout
    assert "migrations up to date" in line(result.stdout, "Database")
    assert "Mode local_trusted/private with bind loopback and auth URL mode auto" in result.stdout
    assert re.search(r"^\d+ passed, \d+ warnings, 0 failed$", result.stdout, re.M)


def test_json_output(cli, onboarded):
    result = cli("doctor", "--json", env=onboarded)
    assert result.returncode == 0
    report = json.loads(result.stdout)
    names = [c["name"] for c in report["checks"]]
    assert names == [
        "Config file",
        "Deployment/auth mode",
        "Agent JWT secret",
        "Secrets adapter",
        "Storage",
        "Database",
        "Log directory",
        "Server port",
    ]
    assert report["summary"]["failed"] == 0


def test_missing_jwt_secret_fails_and_repair_writes_it(cli, onboarded, instance_dir: Path):
    (instance_dir / ".env").unlink()
    result = cli("doctor", env=onboarded)
    assert result.returncode == 1
    assert line(result.stdout, "Agent JWT secret").startswith(
        "✗ Agent JWT secret: PAPERCLIP_AGENT_JWT_SECRET is missing"
    )
    assert "doctor --repair" in hint_after(result.stdout, "Agent JWT secret")
    repaired = cli("doctor", "--repair", "--yes", env=onboarded)
    assert repaired.returncode == 0, repaired.stdout
    assert "repaired: wrote PAPERCLIP_AGENT_JWT_SECRET" in line(repaired.stdout, "Agent JWT secret")
    assert re.fullmatch(r"[0-9a-f]{64}", read_env_file(instance_dir / ".env")["PAPERCLIP_AGENT_JWT_SECRET"])
    assert mode_of(instance_dir / ".env") == 0o600


def test_missing_key_file_warns_and_repair_creates_it(cli, onboarded, instance_dir: Path):
    key = instance_dir / "secrets" / "master.key"
    key.unlink()
    result = cli("doctor", env=onboarded)
    assert result.returncode == 0
    assert line(result.stdout, "Secrets adapter").startswith("! Secrets adapter: Secrets key file ")
    repaired = cli("doctor", "--repair", "--yes", env=onboarded)
    assert line(repaired.stdout, "Secrets adapter").startswith("✓")
    assert mode_of(key) == 0o600 and len(base64.b64decode(key.read_text().strip())) == 32


def test_loose_key_permissions_warn_and_repair_tightens_them(cli, onboarded, instance_dir: Path):
    key = instance_dir / "secrets" / "master.key"
    content = key.read_bytes()
    os.chmod(key, 0o644)
    result = cli("doctor", env=onboarded)
    assert f"Secrets key file permissions are 0644; run chmod 600 {key}" in line(
        result.stdout, "Secrets adapter"
    )
    repaired = cli("doctor", "--repair", "--yes", env=onboarded)
    assert line(repaired.stdout, "Secrets adapter").startswith("✓")
    assert mode_of(key) == 0o600 and key.read_bytes() == content


def test_invalid_key_file_fails_and_is_never_replaced(cli, onboarded, instance_dir: Path):
    key = instance_dir / "secrets" / "master.key"
    key.write_text("too-short\n")
    result = cli("doctor", "--repair", "--yes", env=onboarded)
    assert result.returncode == 1
    assert "does not hold a valid key" in line(result.stdout, "Secrets adapter")
    assert key.read_text() == "too-short\n"


@pytest.mark.parametrize(
    ("value", "ok"),
    [("ab" * 32, True), (base64.b64encode(b"k" * 32).decode(), True), ("r" * 32, True), ("not-a-key", False)],
)
def test_master_key_from_environment_follows_the_decoding_rules(cli, onboarded, value: str, ok: bool):
    result = cli("doctor", env={**onboarded, "PAPERCLIP_SECRETS_MASTER_KEY": value})
    secrets_line = line(result.stdout, "Secrets adapter")
    if ok:
        assert secrets_line.startswith("✓") and "PAPERCLIP_SECRETS_MASTER_KEY" in secrets_line
    else:
        assert secrets_line == (
            "✗ Secrets adapter: Invalid PAPERCLIP_SECRETS_MASTER_KEY "
            "(expected 32-byte base64, 64-char hex, or raw 32-char string)"
        )
        assert result.returncode == 1


def test_missing_directories_warn_and_repair_creates_them(cli, onboarded, instance_dir: Path, tmp_path: Path):
    logs, storage = tmp_path / "new-logs", tmp_path / "new-storage"
    env = {**onboarded, "PAPERCLIP_LOG_DIR": str(logs), "PAPERCLIP_STORAGE_LOCAL_DIR": str(storage)}
    result = cli("doctor", env=env)
    assert line(result.stdout, "Log directory").startswith("! Log directory: Log directory ")
    assert line(result.stdout, "Storage").startswith("! Storage: Local disk storage directory ")
    repaired = cli("doctor", "--repair", "--yes", env=env)
    assert line(repaired.stdout, "Log directory").startswith("✓") and line(
        repaired.stdout, "Storage"
    ).startswith("✓")
    assert logs.is_dir() and storage.is_dir()


def test_storage_that_is_not_a_directory_fails(cli, onboarded, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = cli("doctor", env={**onboarded, "PAPERCLIP_STORAGE_LOCAL_DIR": str(blocker)})
    assert result.returncode == 1
    assert "is not a directory" in line(result.stdout, "Storage")


def test_s3_storage_that_cannot_be_reached_fails_naming_the_setting(cli, onboarded):
    endpoint = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    result = cli(
        "doctor",
        env={
            **onboarded,
            "PAPERCLIP_STORAGE_PROVIDER": "s3",
            "PAPERCLIP_STORAGE_S3_BUCKET": "files",
            "PAPERCLIP_STORAGE_S3_ENDPOINT": endpoint,
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "y",
        },
    )
    storage = line(result.stdout, "Storage")
    assert storage.startswith(f"✗ Storage: S3 storage: S3 storage is unreachable at {endpoint}")
    assert "PAPERCLIP_STORAGE_S3_ENDPOINT" in storage


def test_public_http_url_warns(cli, onboarded):
    env = {
        **onboarded,
        "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
        "PAPERCLIP_DEPLOYMENT_EXPOSURE": "public",
        "HOST": "0.0.0.0",
        "PAPERCLIP_AUTH_BASE_URL_MODE": "explicit",
        "PAPERCLIP_AUTH_PUBLIC_BASE_URL": "http://pc.example.com",
        "BETTER_AUTH_SECRET": "s" * 32,
    }
    result = cli("doctor", env=env)
    assert line(result.stdout, "Deployment/auth mode").startswith(
        "! Deployment/auth mode: Mode authenticated/public"
    )
    assert "https://" in hint_after(result.stdout, "Deployment/auth mode")


def test_authenticated_without_any_secret_fails_until_repaired(cli, onboarded, instance_dir: Path):
    (instance_dir / ".env").unlink()
    env = {**onboarded, "PAPERCLIP_DEPLOYMENT_MODE": "authenticated", "HOST": "0.0.0.0"}
    result = cli("doctor", env=env)
    assert result.returncode == 1
    assert line(result.stdout, "Deployment/auth mode").startswith(
        "✗ Deployment/auth mode: BETTER_AUTH_SECRET (or PAPERCLIP_AGENT_JWT_SECRET) must be set."
    )
    repaired = cli("doctor", "--repair", "--yes", env=env)
    assert repaired.returncode == 0, repaired.stdout
    assert line(repaired.stdout, "Deployment/auth mode").startswith("✓")


def test_local_trusted_on_all_interfaces_fails_with_the_setting(cli, onboarded):
    result = cli("doctor", env={**onboarded, "HOST": "0.0.0.0"})
    assert result.returncode == 1
    assert "local_trusted requires server.bind=loopback" in line(result.stdout, "Settings")
    assert "HOST=0.0.0.0" in result.stdout


def test_bad_environment_value_fails_as_settings(cli, onboarded):
    result = cli("doctor", env={**onboarded, "PORT": "eighty"})
    assert result.returncode == 1
    assert (
        line(result.stdout, "Settings")
        == "✗ Settings: Invalid PORT='eighty': expected an integer from 1 to 65535"
    )


def test_unreachable_database_fails(cli, onboarded):
    url = f"postgresql://nobody:pw@127.0.0.1:{_free_port()}/nothing"
    result = cli("doctor", env={**onboarded, "DATABASE_URL": url})
    assert result.returncode == 1
    database = line(result.stdout, "Database")
    assert database.startswith("✗ Database: Cannot connect to postgresql://nobody:***@127.0.0.1")
    assert "pw@" not in result.stdout


def test_database_with_pending_migrations_warns(cli, onboarded, pg_server: str):
    name = "doctor_empty_" + os.urandom(4).hex()
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = pg_server.rsplit("/", 1)[0] + "/" + name
        result = cli("doctor", env={**onboarded, "DATABASE_URL": url})
        assert result.returncode == 0
        database = line(result.stdout, "Database")
        assert database.startswith("! Database: PostgreSQL ") and "pending migration(s)" in database
        assert "paperclipai db migrate" in hint_after(result.stdout, "Database")
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_busy_server_port_warns_with_lsof_hint(cli, onboarded, instance_dir: Path):
    port = json.loads((instance_dir / "config.json").read_text())["server"]["port"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen(1)
        result = cli("doctor", env=onboarded)
    assert line(result.stdout, "Server port").startswith(
        f"! Server port: Port {port} on 127.0.0.1 is not available"
    )
    assert f"lsof -i :{port}" in hint_after(result.stdout, "Server port")
    assert "All critical checks passed with some warnings." in result.stdout


def test_embedded_database_is_reported_without_starting_it(cli, instance_dir: Path):
    assert cli("onboard").returncode == 0
    port = _free_port()
    result = cli("doctor", env={"PAPERCLIP_EMBEDDED_POSTGRES_PORT": str(port)})
    database = line(result.stdout, "Database")
    assert database.startswith(f"✓ Database: Embedded PostgreSQL, data dir {instance_dir / 'db'}")
    assert f"port {port}" in database
    assert not (instance_dir / "db").exists()


def test_env_only_instance_warns_about_the_missing_file(cli, database_url: str, paperclip_home: Path):
    update_env_file(
        paperclip_home / "instances" / "default" / ".env", {"PAPERCLIP_AGENT_JWT_SECRET": "a" * 64}
    )
    result = cli("doctor", env={"PAPERCLIP_DEPLOYMENT_MODE": "local_trusted", "DATABASE_URL": database_url})
    assert line(result.stdout, "Config file").startswith("! Config file: No config file at ")


def test_postgres_deployment_without_strict_secrets_warns(cli, onboarded, database_url: str):
    result = cli(
        "configure", "-s", "database", "--set", "mode=postgres", "--set", f"connectionString={database_url}"
    )
    assert result.returncode == 0, result.stderr
    doctor = cli("doctor")  # the URL now comes from the file, not DATABASE_URL
    secrets_line = line(doctor.stdout, "Secrets adapter")
    assert (
        secrets_line.startswith("! Secrets adapter:")
        and "strict secret mode is disabled for postgres deployment" in secrets_line
    )
    assert "PAPERCLIP_SECRETS_STRICT_MODE=true" in hint_after(doctor.stdout, "Secrets adapter")
    assert "migrations up to date" in line(doctor.stdout, "Database")


def test_pooled_database_without_a_direct_url_warns_that_wake_ups_poll(cli, onboarded, database_url: str):
    pooled = {**onboarded, "PAPERCLIP_DB_PREPARED_STATEMENTS": "false"}
    result = cli("doctor", env=pooled)
    assert result.returncode == 0
    database = line(result.stdout, "Database")
    assert database.startswith("! Database: PostgreSQL ") and "LISTEN/NOTIFY cannot work" in database
    assert "PAPERCLIP_MIGRATION_DATABASE_URL" in hint_after(result.stdout, "Database")
    direct = cli("doctor", env={**pooled, "PAPERCLIP_MIGRATION_DATABASE_URL": database_url})
    assert line(direct.stdout, "Database").startswith("✓ Database: PostgreSQL ")
