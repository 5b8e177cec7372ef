"""`configure`, `env` and `allowed-hostname`: messages, written files, masking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperclip.cli.allowed_hostname import normalise_hostname
from paperclip.config.store import update_env_file


def config_of(instance_dir: Path) -> dict:
    return json.loads((instance_dir / "config.json").read_text())


@pytest.fixture
def onboarded(cli, instance_dir: Path) -> Path:
    assert cli("onboard").returncode == 0
    return instance_dir


def test_configure_requires_a_config(cli):
    result = cli("configure", "--section", "server", "--set", "port=1")
    assert result.returncode == 1
    assert "No config file found. Run `paperclipai onboard` first." in result.stderr


def test_configure_rejects_unknown_sections(cli, onboarded):
    result = cli("configure", "--section", "foo")
    assert result.returncode == 1
    assert (
        "Unknown section: foo. Choose from: llm, database, logging, server, storage, secrets" in result.stderr
    )


def test_configure_without_terminal_needs_set(cli, onboarded):
    result = cli("configure", "--section", "logging")
    assert result.returncode == 1 and "--set KEY=VALUE" in result.stderr
    assert "Choose a section with --section" in cli("configure").stderr


def test_configure_sets_nested_values_and_validates(cli, onboarded: Path):
    ok = cli(
        "configure",
        "-s",
        "database",
        "--set",
        "backup.retentionDays=14",
        "--set",
        "database.embeddedPostgresPort=55432",
    )
    assert ok.returncode == 0, ok.stderr
    database = config_of(onboarded)["database"]
    assert database["backup"]["retentionDays"] == 14 and database["embeddedPostgresPort"] == 55432
    bad = cli("configure", "-s", "database", "--set", "backup.retentionDays=0")
    assert bad.returncode == 1 and "database.backup.retentionDays" in bad.stderr
    assert config_of(onboarded)["database"]["backup"]["retentionDays"] == 14  # unchanged after a refusal


def test_configure_server_cross_field_rules_are_enforced(cli, onboarded: Path):
    result = cli("configure", "-s", "server", "--set", "host=0.0.0.0", "--set", "bind=lan")
    assert result.returncode == 1
    assert "server.bind: local_trusted requires server.bind=loopback" in result.stderr


def test_configure_storage_and_lists(cli, onboarded: Path):
    assert (
        cli(
            "configure",
            "-s",
            "storage",
            "--set",
            "provider=s3",
            "--set",
            "s3.bucket=files",
            "--set",
            "s3.forcePathStyle=true",
        ).returncode
        == 0
    )
    s3 = config_of(onboarded)["storage"]
    assert s3["provider"] == "s3" and s3["s3"]["bucket"] == "files" and s3["s3"]["forcePathStyle"] is True
    assert cli("configure", "-s", "server", "--set", "allowedHostnames=a.example,b.example").returncode == 0
    assert config_of(onboarded)["server"]["allowedHostnames"] == ["a.example", "b.example"]


def test_configure_secrets_ensures_the_key_file(cli, onboarded: Path, tmp_path: Path):
    key = tmp_path / "keys" / "master.key"
    result = cli(
        "configure", "-s", "secrets", "--set", f"localEncrypted.keyFilePath={key}", "--set", "strictMode=true"
    )
    assert result.returncode == 0, result.stderr
    assert key.exists() and config_of(onboarded)["secrets"]["strictMode"] is True


def test_configure_llm_section(cli, onboarded: Path):
    assert cli("configure", "-s", "llm", "--set", "provider=claude").returncode == 0
    assert config_of(onboarded)["llm"] == {"provider": "claude"}
    bad = cli("configure", "-s", "llm", "--set", "provider=gemini")
    assert bad.returncode == 1 and "llm.provider" in bad.stderr


def test_configure_repairs_an_invalid_file(cli, instance_dir: Path):
    instance_dir.mkdir(parents=True)
    (instance_dir / "config.json").write_text(
        json.dumps(
            {
                "$meta": {"version": 1, "updatedAt": "x", "source": "onboard"},
                "server": {"deploymentMode": "local_trusted", "port": 0},
            }
        )
    )
    result = cli("configure", "-s", "server", "--set", "port=3300")
    assert result.returncode == 0, result.stderr
    assert config_of(instance_dir)["server"]["port"] == 3300
    assert '"port": 0' in (instance_dir / "config.json.backup").read_text()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Foo.Example", "foo.example"),
        ("foo.example:8443", "foo.example"),
        ("https://Foo.example:8443/path", "foo.example"),
        ("[::1]:3100", "::1"),
        ("10.0.0.5", "10.0.0.5"),
        ("  ", None),
    ],
)
def test_hostname_normalisation(raw: str, expected: str | None):
    assert normalise_hostname(raw) == expected


def test_allowed_hostname_adds_sorted_and_deduplicated(cli, onboarded: Path):
    first = cli("allowed-hostname", "Zeta.Example:3100")
    assert first.returncode == 0, first.stderr
    assert "Added allowed hostname: zeta.example" in first.stdout
    assert "Restart the Paperclip server" in first.stdout
    assert "enforced only" not in first.stdout  # local_trusted enforces the list too (DNS rebinding)
    assert cli("allowed-hostname", "alpha.example").returncode == 0
    again = cli("allowed-hostname", "ZETA.example")
    assert "Hostname zeta.example is already allowed." in again.stdout
    assert config_of(onboarded)["server"]["allowedHostnames"] == ["alpha.example", "zeta.example"]
    assert config_of(onboarded)["$meta"]["source"] == "configure"


def test_allowed_hostname_needs_a_config(cli):
    result = cli("allowed-hostname", "x.example")
    assert (
        result.returncode == 1 and "No config file found. Run `paperclipai onboard` first." in result.stderr
    )


def test_env_lists_sources_and_never_prints_secrets(cli, onboarded: Path, workdir: Path):
    secret = (onboarded / ".env").read_text().split("PAPERCLIP_AGENT_JWT_SECRET=")[1].split()[0]
    (workdir / ".env").write_text("PAPERCLIP_LOG_DIR=/var/log/from-cwd-dotenv\n")
    result = cli(
        "env",
        env={
            "PORT": "3456",
            "BETTER_AUTH_SECRET": "better-auth-secret-value-1234",
            "DATABASE_URL": "postgres://user:hunter2@db.example:5432/pc",
        },
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert secret not in out and "better-auth-secret-value" not in out and "hunter2" not in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith("  ")}
    assert rows["PORT"][:2] == ["env", "3456"]
    assert rows["PAPERCLIP_AGENT_JWT_SECRET"] == [".env", "****" + secret[-4:]]
    assert rows["PAPERCLIP_LOG_DIR"][:2] == [".env", "/var/log/from-cwd-dotenv"]
    assert rows["PAPERCLIP_DEPLOYMENT_MODE"][:2] == ["config", "local_trusted"]
    assert rows["HEARTBEAT_SCHEDULER_INTERVAL_MS"][:2] == ["default", "30000"]
    assert rows["DATABASE_URL"][:2] == ["env", "postgres://user:***@db.example:5432/pc"]
    assert "export PORT=3456" in out
    assert "export PAPERCLIP_AGENT_JWT_SECRET=<secret ****" in out


def test_env_reports_missing_required_and_json(cli, onboarded: Path):
    (onboarded / ".env").unlink()
    result = cli("env")
    assert "export PAPERCLIP_AGENT_JWT_SECRET=<set-this-value>" in result.stdout
    assert "Missing required: PAPERCLIP_AGENT_JWT_SECRET, DATABASE_URL" in result.stdout
    data = json.loads(cli("env", "--json").stdout)
    assert data["missingRequired"] == ["PAPERCLIP_AGENT_JWT_SECRET", "DATABASE_URL"]
    by_name = {v["name"]: v for v in data["variables"]}
    assert by_name["PAPERCLIP_AGENT_JWT_SECRET"]["source"] == "missing"


def test_env_masks_values_from_the_instance_dotenv(cli, onboarded: Path):
    update_env_file(onboarded / ".env", {"PAPERCLIP_SECRETS_MASTER_KEY": "k" * 32})
    data = json.loads(cli("env", "--json").stdout)
    master = {v["name"]: v for v in data["variables"]}["PAPERCLIP_SECRETS_MASTER_KEY"]
    assert master["source"] == ".env" and master["value"] == "****kkkk"
