"""Onboarding writes the instance: config 0600 (+ backup on rewrite), .env with the JWT secret, master key."""

from __future__ import annotations

import base64
import json
import re
import stat
from pathlib import Path

from paperclip.config.store import read_env_file


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_onboard_writes_config_env_and_master_key_with_private_modes(cli_process, instance_dir: Path):
    result = cli_process("onboard")
    assert result.returncode == 0, result.stderr
    config_path = instance_dir / "config.json"
    config = json.loads(config_path.read_text())
    assert config["$meta"]["version"] == 1 and config["$meta"]["source"] == "onboard"
    assert config["server"]["deploymentMode"] == "local_trusted" and config["server"]["bind"] == "loopback"
    assert config["database"]["mode"] == "embedded-postgres"
    assert config["storage"]["provider"] == "local_disk"
    assert mode_of(config_path) == 0o600

    env_file = instance_dir / ".env"
    assert mode_of(env_file) == 0o600
    assert re.fullmatch(r"[0-9a-f]{64}", read_env_file(env_file)["PAPERCLIP_AGENT_JWT_SECRET"])

    key = instance_dir / "secrets" / "master.key"
    assert mode_of(key) == 0o600
    assert len(base64.b64decode(key.read_text().strip(), validate=True)) == 32


def test_rerunning_onboard_keeps_a_valid_config_and_its_secrets(cli_process, instance_dir: Path):
    assert cli_process("onboard", "--mode", "authenticated").returncode == 0
    config_before = (instance_dir / "config.json").read_bytes()
    env_before = (instance_dir / ".env").read_bytes()
    key_before = (instance_dir / "secrets" / "master.key").read_bytes()
    result = cli_process("onboard", "--mode", "local_trusted")
    assert result.returncode == 0, result.stderr
    assert "Keeping the valid config" in result.stdout
    assert (instance_dir / "config.json").read_bytes() == config_before
    assert (instance_dir / ".env").read_bytes() == env_before
    assert (instance_dir / "secrets" / "master.key").read_bytes() == key_before


def test_rerun_restores_missing_secret_files(cli_process, instance_dir: Path):
    assert cli_process("onboard").returncode == 0
    (instance_dir / ".env").unlink()
    (instance_dir / "secrets" / "master.key").unlink()
    assert cli_process("onboard").returncode == 0
    assert read_env_file(instance_dir / ".env")["PAPERCLIP_AGENT_JWT_SECRET"]
    assert (instance_dir / "secrets" / "master.key").exists()


def test_non_interactive_authenticated_public_by_flags(cli_process, instance_dir: Path):
    result = cli_process(
        "onboard",
        "--mode",
        "authenticated",
        "--exposure",
        "public",
        "--public-url",
        "https://pc.example.com/",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads((instance_dir / "config.json").read_text())
    assert config["server"]["deploymentMode"] == "authenticated" and config["server"]["exposure"] == "public"
    assert config["server"]["host"] == "0.0.0.0"
    assert config["auth"] == {
        "baseUrlMode": "explicit",
        "publicBaseUrl": "https://pc.example.com",
        "disableSignUp": False,
    }
    assert config["secrets"]["strictMode"] is True


def test_non_interactive_authenticated_public_by_environment(cli_process, instance_dir: Path):
    result = cli_process(
        "onboard",
        env={
            "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
            "PAPERCLIP_DEPLOYMENT_EXPOSURE": "public",
            "PAPERCLIP_AUTH_PUBLIC_BASE_URL": "https://env.example.com",
        },
    )
    assert result.returncode == 0, result.stderr
    config = json.loads((instance_dir / "config.json").read_text())
    assert (config["server"]["deploymentMode"], config["server"]["exposure"]) == ("authenticated", "public")
    assert config["auth"]["publicBaseUrl"] == "https://env.example.com"


def test_public_without_url_is_refused_naming_the_flag_and_variable(cli_process, instance_dir: Path):
    result = cli_process("onboard", "--mode", "authenticated", "--exposure", "public")
    assert result.returncode == 1
    assert "--public-url" in result.stderr and "PAPERCLIP_AUTH_PUBLIC_BASE_URL" in result.stderr
    assert not (instance_dir / "config.json").exists()


def test_invalid_answers_are_refused(cli):
    assert "Invalid --mode 'open'" in cli("onboard", "--mode", "open").stderr
    bad_url = cli(
        "onboard", "--mode", "authenticated", "--exposure", "public", "--public-url", "pc.example.com"
    )
    assert bad_url.returncode == 1 and "Invalid public base URL" in bad_url.stderr
    bad_bind = cli("onboard", "--bind", "wan")
    assert "Unsupported bind preset for onboard: wan. Use loopback, lan, or tailnet." in bad_bind.stderr


def test_invalid_existing_config_is_not_overwritten_non_interactively(cli_process, instance_dir: Path):
    instance_dir.mkdir(parents=True)
    (instance_dir / "config.json").write_text("{broken")
    result = cli_process("onboard")
    assert result.returncode == 1
    assert "Refusing to overwrite it non-interactively" in result.stderr
    assert (instance_dir / "config.json").read_text() == "{broken"
    assert any(p.name.startswith("config.json.invalid-") for p in instance_dir.iterdir())


def test_rewriting_the_config_keeps_a_private_backup(cli_process, instance_dir: Path):
    assert cli_process("onboard").returncode == 0
    first = (instance_dir / "config.json").read_text()
    result = cli_process("configure", "--section", "server", "--set", "port=3222")
    assert result.returncode == 0, result.stderr
    backup = instance_dir / "config.json.backup"
    assert backup.read_text() == first and mode_of(backup) == 0o600
    config = json.loads((instance_dir / "config.json").read_text())
    assert config["server"]["port"] == 3222 and config["$meta"]["source"] == "configure"
    assert mode_of(instance_dir / "config.json") == 0o600


def test_instance_flag_and_data_dir(cli_process, tmp_path: Path):
    other_home = tmp_path / "other-home"
    result = cli_process("onboard", "--data-dir", str(other_home), "-i", "staging")
    assert result.returncode == 0, result.stderr
    assert (other_home / "instances" / "staging" / "config.json").exists()
    bad = cli_process("onboard", "-i", "no/slash")
    assert bad.returncode == 1 and "Invalid instance id 'no/slash'" in bad.stderr


def test_no_platformdirs_warning_without_xdg_runtime_dir(cli_process):
    # embedded-postgres' package __init__ warns at import when XDG_RUNTIME_DIR is unset; we never import it.
    result = cli_process("doctor", env={"XDG_RUNTIME_DIR": None})
    assert "RuntimeDirWarning" not in result.stderr and "XDG_RUNTIME_DIR" not in result.stderr


def test_quickstart_ignores_deployment_variables_for_the_config(cli, instance_dir: Path):
    from paperclip.cli.onboard import onboard_instance

    onboard_instance(
        data_dir=None,
        config=None,
        instance=None,
        yes=True,
        mode=None,
        exposure=None,
        public_url=None,
        bind=None,
        env={
            "PAPERCLIP_HOME": str(instance_dir.parent.parent),
            "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
            "HOST": "0.0.0.0",
            "PORT": "3999",
        },
    )
    server = json.loads((instance_dir / "config.json").read_text())["server"]
    assert (server["deploymentMode"], server["bind"], server["host"], server["port"]) == (
        "local_trusted",
        "loopback",
        "127.0.0.1",
        3999,
    )


def test_host_from_environment_sets_the_bind(cli, instance_dir: Path):
    result = cli("onboard", "--mode", "authenticated", env={"HOST": "127.0.0.1"})
    assert result.returncode == 0, result.stderr
    server = json.loads((instance_dir / "config.json").read_text())["server"]
    assert (server["bind"], server["host"]) == ("loopback", "127.0.0.1")


def test_flags_on_an_existing_config_point_to_configure(cli, instance_dir: Path):
    assert cli("onboard").returncode == 0
    result = cli("onboard", "--mode", "authenticated")
    assert "paperclipai configure --section server" in result.stdout
    assert (
        json.loads((instance_dir / "config.json").read_text())["server"]["deploymentMode"] == "local_trusted"
    )
