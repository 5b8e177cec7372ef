"""`paperclipai onboard`: ask (or take from flags/env) mode → exposure → public URL, write the instance."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

from paperclip.cli.common import (
    ConfigOpt,
    DataDir,
    Instance,
    console,
    fail,
    handles_errors,
    is_interactive,
    settings_for,
)
from paperclip.cli.instance_files import ensure_jwt_secret, ensure_master_key
from paperclip.config.envparse import env_choice, env_int, env_str
from paperclip.config.schema import infer_bind
from paperclip.config.store import read_config, write_config
from paperclip.errors import ConfigError
from paperclip.paths import InstancePaths, find_config_file, resolve_home, resolve_instance_id

BIND_PRESETS = {
    "loopback": ("local_trusted", "private", "127.0.0.1"),
    "lan": ("authenticated", "private", "0.0.0.0"),
    "tailnet": ("authenticated", "private", None),
}


@dataclass
class Answers:
    mode: str
    exposure: str
    public_url: str | None
    bind: str
    host: str
    port: int


def validate_public_url(value: str) -> str | None:
    """None when valid, else why not."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter a full URL such as https://paperclip.example.com"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "Use the base URL only (no path, query or fragment)"
    return None


def answers_from_flags(mode, exposure, public_url, bind, env) -> Answers:
    """Non-interactive onboarding: flags, then the deployment environment variables, then quickstart."""
    if bind and bind not in BIND_PRESETS and bind != "custom":
        raise ConfigError(f"Unsupported bind preset for onboard: {bind}. Use loopback, lan, or tailnet.")
    preset = BIND_PRESETS.get(bind or "")
    mode = (
        mode
        or (preset[0] if preset else None)
        or env_choice(env, "PAPERCLIP_DEPLOYMENT_MODE", ["local_trusted", "authenticated"])
        or "local_trusted"
    )
    exposure = (
        exposure or env_choice(env, "PAPERCLIP_DEPLOYMENT_EXPOSURE", ["private", "public"]) or "private"
    )
    if mode == "local_trusted":
        exposure = "private"
    public_url = (
        public_url or env_str(env, "PAPERCLIP_AUTH_PUBLIC_BASE_URL") or env_str(env, "PAPERCLIP_PUBLIC_URL")
    )
    if mode == "authenticated" and exposure == "public" and not public_url:
        raise ConfigError(
            "authenticated public exposure requires a public base URL: pass --public-url or set PAPERCLIP_AUTH_PUBLIC_BASE_URL"
        )
    if public_url and (problem := validate_public_url(public_url)):
        raise ConfigError(f"Invalid public base URL {public_url!r}: {problem}")
    host_env = env_str(env, "HOST")
    # A HOST from the environment decides the bind unless --bind says otherwise, so the written
    # config listens where the operator asked even when the variable is gone later.
    bind = bind or (infer_bind(host_env) if host_env else ("loopback" if mode == "local_trusted" else "lan"))
    host = host_env or (BIND_PRESETS.get(bind, (None, None, "0.0.0.0"))[2] or "0.0.0.0")
    port = env_int(env, "PORT", 1, 65535) or 3100
    return Answers(mode, exposure, public_url.rstrip("/") if public_url else None, bind, host, port)


QUICKSTART_IGNORED = (
    "PAPERCLIP_DEPLOYMENT_MODE",
    "PAPERCLIP_DEPLOYMENT_EXPOSURE",
    "PAPERCLIP_BIND",
    "HOST",
    "PAPERCLIP_AUTH_PUBLIC_BASE_URL",
    "PAPERCLIP_PUBLIC_URL",
)


def quickstart_answers(env) -> Answers:
    """`onboard --yes`: local_trusted on loopback whatever the deployment variables say (as the original)."""
    ignored = [name for name in QUICKSTART_IGNORED if env_str(env, name)]
    if ignored:
        console.print(
            f"  Quickstart writes local_trusted on loopback; not written to the config: {', '.join(ignored)} "
            "(they still apply at run time; use --mode/--bind to onboard another way)",
            soft_wrap=True,
            highlight=False,
        )
    port = env_int(env, "PORT", 1, 65535) or 3100
    return Answers("local_trusted", "private", None, "loopback", "127.0.0.1", port)


def answers_from_prompts() -> Answers:
    import questionary

    mode = questionary.select(
        "Deployment mode",
        choices=[
            questionary.Choice("local_trusted — no login, this machine only", "local_trusted"),
            questionary.Choice("authenticated — login required (LAN, VPN or internet)", "authenticated"),
        ],
    ).unsafe_ask()
    exposure, public_url, bind = "private", None, "loopback"
    if mode == "authenticated":
        bind = "lan"
        exposure = questionary.select(
            "Exposure policy",
            choices=[
                questionary.Choice("private — VPN, Tailscale or LAN", "private"),
                questionary.Choice("public — reachable from the internet", "public"),
            ],
        ).unsafe_ask()
        if exposure == "public":
            public_url = (
                questionary.text(
                    "Public base URL (e.g. https://paperclip.example.com)",
                    validate=lambda v: (
                        validate_public_url(v) or True
                        if validate_public_url(v) is None
                        else validate_public_url(v)
                    ),
                )
                .unsafe_ask()
                .strip()
                .rstrip("/")
            )
    host = "127.0.0.1" if bind == "loopback" else "0.0.0.0"
    return Answers(mode, exposure, public_url, bind, host, 3100)


def build_config(answers: Answers, paths: InstancePaths, env: dict[str, str]) -> dict:
    database: dict = {
        "mode": "embedded-postgres",
        "embeddedPostgresDataDir": str(paths.db_dir),
        "embeddedPostgresPort": 54329,
        "backup": {"enabled": True, "intervalMinutes": 60, "retentionDays": 7, "dir": str(paths.backups_dir)},
    }
    if env_str(env, "DATABASE_URL"):
        database.update(mode="postgres", connectionString=env_str(env, "DATABASE_URL"))
    auth: dict = {"baseUrlMode": "explicit" if answers.public_url else "auto", "disableSignUp": False}
    if answers.public_url:
        auth["publicBaseUrl"] = answers.public_url
    return {
        "database": database,
        "logging": {"mode": "file", "logDir": str(paths.logs_dir)},
        "server": {
            "deploymentMode": answers.mode,
            "exposure": answers.exposure,
            "bind": answers.bind,
            "host": answers.host,
            "port": answers.port,
            "allowedHostnames": [],
            "serveUi": True,
        },
        "telemetry": {"enabled": False},
        "auth": auth,
        "storage": {
            "provider": "local_disk",
            "localDisk": {"baseDir": str(paths.storage_dir)},
            "s3": {"bucket": "paperclip", "region": "us-east-1", "prefix": "", "forcePathStyle": False},
        },
        "secrets": {
            "provider": "local_encrypted",
            "strictMode": answers.mode == "authenticated",
            "localEncrypted": {"keyFilePath": str(paths.master_key)},
        },
    }


def onboard_instance(*, data_dir, config, instance, yes, mode, exposure, public_url, bind, env=None) -> Path:
    """Write (or keep) the config, the .env JWT secret and the master key; returns the config path."""
    env = dict(os.environ) if env is None else env
    paths = InstancePaths(resolve_home(env, data_dir), resolve_instance_id(env, instance))
    config_path = find_config_file(env, paths, config)
    try:
        existing = read_config(config_path)
    except ConfigError as exc:
        saved = config_path.with_name(f"config.json.invalid-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}")
        shutil.copyfile(config_path, saved)
        os.chmod(saved, 0o600)
        if not is_interactive() or yes:
            raise ConfigError(
                f"{exc.message}. Refusing to overwrite it non-interactively (a copy is in {saved}); "
                "fix the file or move it away and run onboard again"
            ) from None
        import questionary

        if not questionary.confirm(
            f"{exc.message}\nReplace it with a new config? (a copy is in {saved})", default=False
        ).unsafe_ask():
            raise typer.Exit(1) from None
        existing = None
    if existing is not None:
        console.print(
            f"[green]✓[/] Keeping the valid config at {config_path}", soft_wrap=True, highlight=False
        )
        if any((mode, exposure, public_url, bind)):
            console.print(
                "  The --mode/--exposure/--public-url/--bind flags apply to a new config only; "
                "change this one with `paperclipai configure --section server`",
                soft_wrap=True,
                highlight=False,
            )
        key_path = Path(existing.secrets.localEncrypted.keyFilePath or paths.master_key).expanduser()
    else:
        flags_given = any((mode, exposure, public_url, bind))
        if yes and not flags_given:
            answers = quickstart_answers(env)
        elif yes or flags_given or not is_interactive():
            answers = answers_from_flags(mode, exposure, public_url, bind, env)
        else:
            answers = answers_from_prompts()
        written = write_config(config_path, build_config(answers, paths, env), "onboard")
        key_path = Path(written.secrets.localEncrypted.keyFilePath or paths.master_key)
        console.print(
            f"[green]✓[/] Wrote {config_path} ({answers.mode}, {answers.exposure}, bind {answers.bind})",
            soft_wrap=True,
            highlight=False,
        )
    for directory in (paths.root, paths.logs_dir, paths.storage_dir, paths.backups_dir):
        directory.mkdir(parents=True, exist_ok=True)
    if ensure_jwt_secret(config_path.parent / ".env"):
        console.print(
            f"[green]✓[/] Generated PAPERCLIP_AGENT_JWT_SECRET in {config_path.parent / '.env'}",
            soft_wrap=True,
            highlight=False,
        )
    if ensure_master_key(key_path):
        console.print(
            f"[green]✓[/] Created secrets master key {key_path} (back it up with your database)",
            soft_wrap=True,
            highlight=False,
        )
    return config_path


def onboard_command(
    data_dir: DataDir = None,
    config: ConfigOpt = None,
    instance: Instance = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="Quickstart defaults (local_trusted, loopback, embedded DB) and start"
        ),
    ] = False,
    run: Annotated[bool, typer.Option("--run", help="Start the server after onboarding")] = False,
    mode: Annotated[
        str | None, typer.Option("--mode", help="local_trusted or authenticated (no prompt)")
    ] = None,
    exposure: Annotated[
        str | None, typer.Option("--exposure", help="private or public (authenticated only)")
    ] = None,
    public_url: Annotated[
        str | None, typer.Option("--public-url", help="Public base URL (authenticated + public)")
    ] = None,
    bind: Annotated[str | None, typer.Option("--bind", help="loopback, lan or tailnet")] = None,
) -> None:
    """Set up an instance: config, JWT secret and master key. With --yes, start it too."""
    _onboard(data_dir, config, instance, yes, run, mode, exposure, public_url, bind)


@handles_errors
def _onboard(data_dir, config, instance, yes, run, mode, exposure, public_url, bind) -> None:
    for value, allowed, name in (
        (mode, ("local_trusted", "authenticated"), "--mode"),
        (exposure, ("private", "public"), "--exposure"),
    ):
        if value is not None and value not in allowed:
            fail(f"Invalid {name} {value!r}: allowed values are {', '.join(allowed)}")
    config_path = onboard_instance(
        data_dir=data_dir,
        config=config,
        instance=instance,
        yes=yes,
        mode=mode,
        exposure=exposure,
        public_url=public_url,
        bind=bind,
    )
    if yes or run:
        from paperclip.cli.run import start_server

        start_server(settings_for(data_dir, str(config_path), instance))
    else:
        console.print("Next: [bold]paperclipai run[/]")
