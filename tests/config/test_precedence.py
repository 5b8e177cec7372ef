"""Where each setting comes from: env > instance .env > cwd .env > config.json > defaults (deploy §3.5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperclip.config import load_settings
from paperclip.config.store import update_env_file, write_config


def minimal(**sections) -> dict:
    return {"server": {"deploymentMode": "local_trusted"}, **sections}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


def instance_dir(home: Path, instance: str = "default") -> Path:
    return home / "instances" / instance


def load(home: Path, cwd: Path, env: dict | None = None, **kwargs):
    return load_settings({"PAPERCLIP_HOME": str(home), **(env or {})}, cwd=cwd, **kwargs)


def test_defaults_without_any_file(home, cwd):
    s = load(home, cwd)
    assert s.config is None
    assert (s.deployment_mode, s.deployment_exposure, s.bind, s.host, s.port) == (
        "local_trusted",
        "private",
        "loopback",
        "127.0.0.1",
        3100,
    )
    assert s.database.embedded and s.database.embedded_port == 54329
    assert s.database.embedded_data_dir == instance_dir(home) / "db"
    assert (
        s.storage.provider == "local_disk" and s.storage.local_dir == instance_dir(home) / "data" / "storage"
    )
    assert s.secrets.master_key_file == instance_dir(home) / "secrets" / "master.key"
    assert s.log_dir == instance_dir(home) / "logs"
    assert s.backup.dir == instance_dir(home) / "data" / "backups"
    assert s.heartbeat_scheduler_enabled and s.heartbeat_interval_ms == 30000
    assert s.company_deletion_enabled is True


def test_each_layer_beats_the_next(home, cwd):
    config_path = instance_dir(home) / "config.json"
    write_config(config_path, minimal(server={"port": 3200}), "onboard")
    assert load(home, cwd).port == 3200
    (cwd / ".env").write_text("PORT=3300\n")
    assert load(home, cwd).port == 3300
    update_env_file(instance_dir(home) / ".env", {"PORT": "3400"})
    assert load(home, cwd).port == 3400
    assert load(home, cwd, {"PORT": "3500"}).port == 3500


def test_dotenv_files_never_override_real_environment(home, cwd):
    update_env_file(instance_dir(home) / ".env", {"PAPERCLIP_AGENT_JWT_SECRET": "from-dotenv"})
    assert load(home, cwd).agent_jwt_secret == "from-dotenv"
    assert load(home, cwd, {"PAPERCLIP_AGENT_JWT_SECRET": "from-env"}).agent_jwt_secret == "from-env"


def test_instance_id_selects_its_own_files(home, cwd):
    write_config(instance_dir(home, "second") / "config.json", minimal(server={"port": 3900}), "onboard")
    s = load(home, cwd, {"PAPERCLIP_INSTANCE_ID": "second"})
    assert s.port == 3900 and s.paths.instance_id == "second"
    assert s.database.embedded_data_dir == instance_dir(home, "second") / "db"
    # The CLI flag beats the environment variable.
    assert load(home, cwd, {"PAPERCLIP_INSTANCE_ID": "second"}, instance="default").port == 3100


def test_config_lookup_order(home, cwd, tmp_path):
    explicit = tmp_path / "explicit.json"
    via_env = tmp_path / "via-env.json"
    local = cwd / ".paperclip" / "config.json"
    for path, port in (
        (explicit, 3001),
        (via_env, 3002),
        (local, 3003),
        (instance_dir(home) / "config.json", 3004),
    ):
        write_config(path, minimal(server={"port": port}), "onboard")
    assert load(home, cwd, {"PAPERCLIP_CONFIG": str(via_env)}, config_file=str(explicit)).port == 3001
    assert load(home, cwd, {"PAPERCLIP_CONFIG": str(via_env)}).port == 3002
    (cwd / "sub").mkdir()
    assert load(home, cwd / "sub").port == 3003  # found walking up from a subdirectory
    assert load(home, tmp_path).port == 3004


def test_database_url_beats_config_mode(home, cwd):
    write_config(
        instance_dir(home) / "config.json",
        minimal(database={"mode": "postgres", "connectionString": "postgres://a:b@db.example:5432/x"}),
        "onboard",
    )
    assert load(home, cwd).database.url == "postgres://a:b@db.example:5432/x"
    s = load(home, cwd, {"DATABASE_URL": "postgres://u:p@other:5432/y"})
    assert s.database.url == "postgres://u:p@other:5432/y" and not s.database.embedded


def test_postgres_mode_without_url_falls_back_to_embedded_with_warning(home, cwd):
    write_config(instance_dir(home) / "config.json", minimal(database={"mode": "postgres"}), "onboard")
    s = load(home, cwd)
    assert s.database.embedded and "using embedded PostgreSQL" in s.database.fallback_warning


def test_pooler_port_turns_prepared_statements_off(home, cwd):
    assert load(home, cwd, {"DATABASE_URL": "postgres://u:p@h:6543/db"}).database.prepared_statements is False
    assert load(home, cwd, {"DATABASE_URL": "postgres://u:p@h:5432/db"}).database.prepared_statements is True
    forced = load(
        home, cwd, {"DATABASE_URL": "postgres://u:p@h:5432/db", "PAPERCLIP_DB_PREPARED_STATEMENTS": "false"}
    )
    assert forced.database.prepared_statements is False


def test_exposure_is_forced_private_in_local_trusted(home, cwd):
    s = load(home, cwd, {"PAPERCLIP_DEPLOYMENT_EXPOSURE": "public"})
    assert s.deployment_exposure == "private"


def test_allowed_hostnames_env_replaces_file_and_adds_public_url_host(home, cwd):
    write_config(
        instance_dir(home) / "config.json",
        {
            "server": {
                "deploymentMode": "authenticated",
                "exposure": "private",
                "host": "0.0.0.0",
                "allowedHostnames": ["file.example"],
            }
        },
        "onboard",
    )
    assert load(home, cwd).allowed_hostnames == ("file.example",)
    s = load(
        home,
        cwd,
        {
            "PAPERCLIP_ALLOWED_HOSTNAMES": "A.example, b.example",
            "PAPERCLIP_PUBLIC_URL": "https://Pub.Example",
        },
    )
    assert s.allowed_hostnames == ("a.example", "b.example", "pub.example")


def test_public_url_priority_and_mode_inference(home, cwd):
    env = {
        "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
        "HOST": "0.0.0.0",
        "PAPERCLIP_PUBLIC_URL": "https://four.example",
        "BETTER_AUTH_BASE_URL": "https://three.example",
        "BETTER_AUTH_URL": "https://two.example",
    }
    s = load(home, cwd, env)
    assert s.auth_public_base_url == "https://two.example" and s.auth_base_url_mode == "explicit"
    s = load(home, cwd, {**env, "PAPERCLIP_AUTH_PUBLIC_BASE_URL": "https://one.example"})
    assert s.auth_public_base_url == "https://one.example"


def test_strict_mode_and_json_logs_default_on_in_authenticated(home, cwd):
    s = load(home, cwd, {"PAPERCLIP_DEPLOYMENT_MODE": "authenticated", "HOST": "0.0.0.0"})
    assert s.secrets.strict_mode is True and s.log_format == "json" and s.company_deletion_enabled is False
    assert load(home, cwd).secrets.strict_mode is False


def test_heartbeat_interval_has_a_floor(home, cwd):
    assert load(home, cwd, {"HEARTBEAT_SCHEDULER_INTERVAL_MS": "500"}).heartbeat_interval_ms == 10000
    assert load(home, cwd, {"HEARTBEAT_SCHEDULER_INTERVAL_MS": "45000"}).heartbeat_interval_ms == 45000
    assert load(home, cwd, {"HEARTBEAT_SCHEDULER_ENABLED": "false"}).heartbeat_scheduler_enabled is False


def test_embedded_port_and_data_dir_env_override_the_file(home, cwd, tmp_path):
    write_config(
        instance_dir(home) / "config.json", minimal(database={"embeddedPostgresPort": 55000}), "onboard"
    )
    assert load(home, cwd).database.embedded_port == 55000
    s = load(
        home,
        cwd,
        {
            "PAPERCLIP_EMBEDDED_POSTGRES_PORT": "55001",
            "PAPERCLIP_EMBEDDED_POSTGRES_DATA_DIR": str(tmp_path / "pg"),
        },
    )
    assert (
        s.database.embedded_port == 55001
        and s.database.embedded_port_source == "PAPERCLIP_EMBEDDED_POSTGRES_PORT"
    )
    assert s.database.embedded_data_dir == tmp_path / "pg"
