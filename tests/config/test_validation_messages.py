"""Every validation message names the setting (variable or config path) and what it accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperclip.config import load_settings
from paperclip.config.schema import parse_config
from paperclip.errors import ConfigError


def check_file(server: dict, auth: dict | None = None) -> str:
    raw = {
        "$meta": {"version": 1, "updatedAt": "2026-01-01T00:00:00Z", "source": "onboard"},
        "server": server,
        "auth": auth or {},
    }
    with pytest.raises(ConfigError) as info:
        parse_config(raw, "/x/config.json")
    return info.value.message


@pytest.mark.parametrize(
    ("server", "auth", "expected"),
    [
        (
            {"deploymentMode": "local_trusted", "exposure": "public"},
            {},
            "server.exposure: server.exposure must be private when deploymentMode is local_trusted",
        ),
        (
            {"deploymentMode": "local_trusted", "bind": "lan", "host": "0.0.0.0"},
            {},
            "server.bind: local_trusted requires server.bind=loopback",
        ),
        (
            {"deploymentMode": "authenticated", "bind": "custom", "host": "127.0.0.1"},
            {},
            "server.customBindHost: server.customBindHost is required when server.bind=custom",
        ),
        (
            {"deploymentMode": "authenticated", "exposure": "public", "bind": "tailnet"},
            {"baseUrlMode": "explicit", "publicBaseUrl": "https://p.example"},
            "server.bind: server.bind=tailnet is only supported for authenticated/private deployments",
        ),
        (
            {"deploymentMode": "authenticated", "host": "0.0.0.0"},
            {"baseUrlMode": "explicit"},
            "auth.publicBaseUrl: auth.publicBaseUrl is required when auth.baseUrlMode is explicit",
        ),
        (
            {"deploymentMode": "authenticated", "exposure": "public", "host": "0.0.0.0"},
            {"baseUrlMode": "auto", "publicBaseUrl": "https://p.example"},
            "auth.baseUrlMode: auth.baseUrlMode must be explicit when deploymentMode=authenticated and exposure=public",
        ),
        (
            {"deploymentMode": "authenticated", "exposure": "public", "host": "0.0.0.0"},
            {"baseUrlMode": "explicit"},
            "auth.publicBaseUrl: auth.publicBaseUrl is required when deploymentMode=authenticated and exposure=public",
        ),
    ],
)
def test_cross_field_rules_of_the_file(server, auth, expected):
    message = check_file(server, auth)
    assert message.startswith("Invalid config at /x/config.json: ")
    assert expected in message


def test_schema_errors_name_the_path_and_allowed_values():
    message = check_file({"deploymentMode": "open", "port": 70000})
    assert "server.deploymentMode: must be one of 'local_trusted' or 'authenticated'" in message
    assert "server.port: " in message and "65535" in message


def test_invalid_json_names_the_file(tmp_path: Path):
    config = tmp_path / "instances" / "default" / "config.json"
    config.parent.mkdir(parents=True)
    config.write_text("{not json")
    with pytest.raises(ConfigError, match=r"Invalid config at .*config.json: invalid JSON"):
        load_settings({"PAPERCLIP_HOME": str(tmp_path)}, cwd=tmp_path)


def test_legacy_pglite_keys_are_migrated():
    raw = {
        "$meta": {"version": 1, "updatedAt": "x", "source": "onboard"},
        "database": {"mode": "pglite", "pgliteDataDir": "/d", "pglitePort": 5555},
    }
    db = parse_config(raw, "f").database
    assert (db.mode, db.embeddedPostgresDataDir, db.embeddedPostgresPort) == ("embedded-postgres", "/d", 5555)


def env_error(tmp_path: Path, **env: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings({"PAPERCLIP_HOME": str(tmp_path), **env}, cwd=tmp_path)
    return info.value.message


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "PAPERCLIP_DEPLOYMENT_MODE",
            "open",
            "Invalid PAPERCLIP_DEPLOYMENT_MODE='open': allowed values are local_trusted, authenticated",
        ),
        (
            "PAPERCLIP_DEPLOYMENT_EXPOSURE",
            "world",
            "Invalid PAPERCLIP_DEPLOYMENT_EXPOSURE='world': allowed values are private, public",
        ),
        (
            "PAPERCLIP_BIND",
            "wan",
            "Invalid PAPERCLIP_BIND='wan': allowed values are loopback, lan, tailnet, custom",
        ),
        ("PORT", "http", "Invalid PORT='http': expected an integer from 1 to 65535"),
        ("PORT", "70000", "Invalid PORT='70000': expected an integer from 1 to 65535"),
        (
            "PAPERCLIP_EMBEDDED_POSTGRES_PORT",
            "0",
            "Invalid PAPERCLIP_EMBEDDED_POSTGRES_PORT='0': expected an integer from 1 to 65535",
        ),
        (
            "PAPERCLIP_DB_BACKUP_ENABLED",
            "maybe",
            "Invalid PAPERCLIP_DB_BACKUP_ENABLED='maybe': expected true or false",
        ),
        (
            "PAPERCLIP_DB_BACKUP_RETENTION_DAYS",
            "0",
            "Invalid PAPERCLIP_DB_BACKUP_RETENTION_DAYS='0': expected an integer from 1 to 3650",
        ),
        (
            "PAPERCLIP_DB_BACKUP_INTERVAL_MINUTES",
            "99999",
            "Invalid PAPERCLIP_DB_BACKUP_INTERVAL_MINUTES='99999': expected an integer from 1 to 10080",
        ),
        (
            "PAPERCLIP_STORAGE_PROVIDER",
            "gcs",
            "Invalid PAPERCLIP_STORAGE_PROVIDER='gcs': allowed values are local_disk, s3",
        ),
        (
            "PAPERCLIP_STORAGE_S3_FORCE_PATH_STYLE",
            "perhaps",
            "Invalid PAPERCLIP_STORAGE_S3_FORCE_PATH_STYLE='perhaps': expected true or false",
        ),
        (
            "PAPERCLIP_SECRETS_PROVIDER",
            "vault",
            "Invalid PAPERCLIP_SECRETS_PROVIDER='vault': allowed values are local_encrypted, aws_secrets_manager",
        ),
        (
            "PAPERCLIP_SECRETS_STRICT_MODE",
            "sure",
            "Invalid PAPERCLIP_SECRETS_STRICT_MODE='sure': expected true or false",
        ),
        (
            "PAPERCLIP_ENABLE_COMPANY_DELETION",
            "y",
            "Invalid PAPERCLIP_ENABLE_COMPANY_DELETION='y': expected true or false",
        ),
        (
            "PAPERCLIP_AUTH_BASE_URL_MODE",
            "manual",
            "Invalid PAPERCLIP_AUTH_BASE_URL_MODE='manual': allowed values are auto, explicit",
        ),
        ("PAPERCLIP_LOG_FORMAT", "xml", "Invalid PAPERCLIP_LOG_FORMAT='xml': allowed values are json, text"),
        (
            "PAPERCLIP_MIGRATION_PROMPT",
            "sometimes",
            "Invalid PAPERCLIP_MIGRATION_PROMPT='sometimes': allowed values are never, always, auto",
        ),
        (
            "PAPERCLIP_DB_PREPARED_STATEMENTS",
            "off",
            "Invalid PAPERCLIP_DB_PREPARED_STATEMENTS='off': allowed values are auto, true, false",
        ),
        ("HEARTBEAT_SCHEDULER_INTERVAL_MS", "fast", "Invalid HEARTBEAT_SCHEDULER_INTERVAL_MS='fast'"),
        (
            "PAPERCLIP_AUTH_PUBLIC_BASE_URL",
            "paperclip.example",
            "Invalid public base URL 'paperclip.example'",
        ),
    ],
)
def test_bad_environment_values_name_the_variable(tmp_path: Path, name: str, value: str, expected: str):
    assert expected in env_error(tmp_path, **{name: value})


@pytest.mark.parametrize("bad", ["../etc", "a b", "x/y", "dé"])
def test_invalid_instance_id(tmp_path: Path, bad: str):
    message = env_error(tmp_path, PAPERCLIP_INSTANCE_ID=bad)
    assert f"Invalid instance id '{bad}'. Allowed characters: letters, numbers, '_' and '-'." in message
    with pytest.raises(ConfigError, match="Invalid instance id"):
        load_settings({"PAPERCLIP_HOME": str(tmp_path)}, instance=bad, cwd=tmp_path)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"HOST": "0.0.0.0"}, "local_trusted requires server.bind=loopback"),
        (
            {
                "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
                "PAPERCLIP_DEPLOYMENT_EXPOSURE": "public",
                "HOST": "0.0.0.0",
            },
            "auth.baseUrlMode must be explicit when deploymentMode=authenticated and exposure=public",
        ),
        (
            {
                "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
                "PAPERCLIP_DEPLOYMENT_EXPOSURE": "public",
                "HOST": "0.0.0.0",
                "PAPERCLIP_AUTH_BASE_URL_MODE": "explicit",
            },
            "auth.publicBaseUrl is required when auth.baseUrlMode is explicit",
        ),
        (
            {"PAPERCLIP_DEPLOYMENT_MODE": "authenticated", "PAPERCLIP_BIND": "custom"},
            "server.customBindHost is required when server.bind=custom (set PAPERCLIP_BIND_HOST",
        ),
    ],
)
def test_cross_field_rules_apply_to_environment_too(tmp_path: Path, env: dict, expected: str):
    assert expected in env_error(tmp_path, **env)


def test_host_refusal_names_the_host_variable(tmp_path: Path):
    message = env_error(tmp_path, HOST="0.0.0.0")
    assert "HOST=0.0.0.0" in message and "PAPERCLIP_BIND" in message


def test_file_values_are_kept_round_trip(tmp_path: Path):
    from paperclip.config.store import read_config, write_config

    path = tmp_path / "config.json"
    write_config(path, {"server": {"port": 3111}, "updates": {"checkEnabled": False}}, "onboard")
    assert json.loads(path.read_text())["updates"] == {"checkEnabled": False}
    assert read_config(path).server.port == 3111
