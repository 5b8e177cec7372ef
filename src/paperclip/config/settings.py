"""The one Settings object: env (with .env files) > config.json > defaults, as in reference §3.5.

Nothing else in the application reads os.environ: the CLI builds Settings once and passes it in.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from paperclip.config.envparse import env_bool, env_choice, env_int, env_list, env_str
from paperclip.config.limits import RunLimits, run_limits
from paperclip.config.schema import LOOPBACK_HOSTS, ConfigFile, cross_field_issues, infer_bind
from paperclip.config.store import layered_env, read_config
from paperclip.errors import ConfigError
from paperclip.paths import InstancePaths, expand, find_config_file, resolve_home, resolve_instance_id

POOLER_PORTS = {6543}


@dataclass(frozen=True)
class DatabaseSettings:
    embedded: bool
    url: str  # the application's URL (for embedded: filled in once the port is known)
    migration_url: str | None
    embedded_data_dir: Path
    embedded_port: int
    embedded_port_source: str
    prepared_statements: bool
    pool_max: int
    migration_auto_apply: bool
    migration_prompt_never: bool
    fallback_warning: str | None = None


@dataclass(frozen=True)
class BackupSettings:
    enabled: bool
    interval_minutes: int
    retention_days: int
    dir: Path


UPLOAD_ENVELOPE_BYTES = 1024 * 1024  # an upload's multipart envelope: fields, headers, boundaries


@dataclass(frozen=True)
class StorageSettings:
    provider: str
    local_dir: Path
    s3_bucket: str
    s3_region: str
    s3_endpoint: str | None
    s3_prefix: str
    s3_force_path_style: bool
    # Uploads: PAPERCLIP_ATTACHMENT_MAX_BYTES and PAPERCLIP_ALLOWED_ATTACHMENT_TYPES (None: the default list).
    attachment_max_bytes: int = 10 * 1024 * 1024
    allowed_attachment_types: tuple[str, ...] | None = None

    @property
    def upload_max_body_bytes(self) -> int:
        """The request-level bound of an upload (the HTTP body limit of upload routes): the file's
        limit plus the multipart envelope around it."""
        return self.attachment_max_bytes + UPLOAD_ENVELOPE_BYTES


@dataclass(frozen=True)
class SecretsSettings:
    provider: str
    strict_mode: bool
    master_key: str | None = field(repr=False)
    master_key_file: Path


@dataclass(frozen=True)
class Settings:
    paths: InstancePaths
    config_path: Path
    config: ConfigFile | None
    env: Mapping[str, str] = field(repr=False)
    deployment_mode: str
    deployment_exposure: str
    bind: str
    host: str
    port: int
    auth_base_url_mode: str
    auth_public_base_url: str | None
    auth_disable_sign_up: bool
    better_auth_secret: str | None = field(repr=False)
    agent_jwt_secret: str | None = field(repr=False)
    agent_jwt_ttl_seconds: int
    agent_jwt_issuer: str
    agent_jwt_audience: str
    allowed_hostnames: tuple[str, ...]
    serve_ui: bool
    company_deletion_enabled: bool
    heartbeat_scheduler_enabled: bool
    heartbeat_interval_ms: int
    log_dir: Path
    log_format: str
    log_level: str
    workers: int
    heartbeat_process: str  # separate | inline (PAPERCLIP_HEARTBEAT_PROCESS)
    telemetry_enabled: bool
    database: DatabaseSettings
    backup: BackupSettings
    storage: StorageSettings
    secrets: SecretsSettings
    limits: RunLimits = field(default_factory=RunLimits)  # run timeouts, output caps (config/limits.py)
    metrics_enabled: bool = False  # PAPERCLIP_METRICS_ENABLED: GET /api/metrics
    metrics_token: str | None = field(
        default=None, repr=False
    )  # PAPERCLIP_METRICS_TOKEN: bearer token for it
    # PAPERCLIP_TRUSTED_PROXIES: addresses/CIDRs whose X-Forwarded-For/-Proto are believed (none by default)
    trusted_proxies: tuple[str, ...] = ()
    request_body_timeout_sec: int = (
        60  # PAPERCLIP_REQUEST_BODY_TIMEOUT_SEC: 408 past it (uploads: x10); 0 = none
    )

    @property
    def instance_env_file(self) -> Path:
        return self.config_path.parent / ".env"

    @property
    def auth_secret(self) -> str | None:
        return self.better_auth_secret or self.agent_jwt_secret

    @property
    def jwt_secret(self) -> str | None:
        return self.agent_jwt_secret or self.better_auth_secret

    @property
    def is_local_trusted(self) -> bool:
        return self.deployment_mode == "local_trusted"


def mask_url_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def uses_pooler(url: str) -> bool:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return port in POOLER_PORTS or "pgbouncer=true" in (parts.query or "").lower()


def _tailnet_host(env: Mapping[str, str]) -> str | None:
    explicit = env_str(env, "PAPERCLIP_TAILNET_BIND_HOST")
    if explicit or env_str(env, "PAPERCLIP_DISABLE_TAILNET_DETECT"):
        return explicit
    try:
        out = subprocess.run(["tailscale", "ip", "-4"], capture_output=True, text=True, timeout=3)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = out.stdout.split()
    return lines[0] if out.returncode == 0 and lines else None


def load_settings(
    process_env: Mapping[str, str] | None = None,
    *,
    data_dir: str | None = None,
    instance: str | None = None,
    config_file: str | None = None,
    cwd: Path | None = None,
) -> Settings:
    raw_env = dict(os.environ if process_env is None else process_env)
    paths = InstancePaths(resolve_home(raw_env, data_dir), resolve_instance_id(raw_env, instance))
    config_path = find_config_file(raw_env, paths, config_file, cwd)
    env = layered_env(raw_env, config_path.parent / ".env", cwd)
    # A home or instance given in a .env file still counts, as the original loads .env first.
    if data_dir is None and instance is None and config_file is None and env is not raw_env:
        if env.get("PAPERCLIP_HOME") != raw_env.get("PAPERCLIP_HOME") or env.get(
            "PAPERCLIP_INSTANCE_ID"
        ) != raw_env.get("PAPERCLIP_INSTANCE_ID"):
            paths = InstancePaths(resolve_home(env), resolve_instance_id(env))
            config_path = find_config_file(env, paths, None, cwd)
    config = read_config(config_path)
    return resolve(env, paths, config_path, config)


def resolve(
    env: Mapping[str, str], paths: InstancePaths, config_path: Path, config: ConfigFile | None
) -> Settings:
    file = config or ConfigFile.model_validate(
        {"$meta": {"version": 1, "updatedAt": "", "source": "onboard"}}
    )
    server, auth = file.server, file.auth

    mode = (
        env_choice(env, "PAPERCLIP_DEPLOYMENT_MODE", ["local_trusted", "authenticated"])
        or server.deploymentMode
    )
    exposure = env_choice(env, "PAPERCLIP_DEPLOYMENT_EXPOSURE", ["private", "public"]) or server.exposure
    if mode == "local_trusted":
        exposure = "private"

    host_env = env_str(env, "HOST")
    host = host_env or server.host
    bind = env_choice(env, "PAPERCLIP_BIND", ["loopback", "lan", "tailnet", "custom"]) or server.bind
    if bind is None or (host_env and not env_str(env, "PAPERCLIP_BIND")):
        bind = infer_bind(host)
    custom_host = env_str(env, "PAPERCLIP_BIND_HOST") or server.customBindHost

    public_url = (
        env_str(env, "PAPERCLIP_AUTH_PUBLIC_BASE_URL")
        or env_str(env, "BETTER_AUTH_URL")
        or env_str(env, "BETTER_AUTH_BASE_URL")
        or env_str(env, "PAPERCLIP_PUBLIC_URL")
        or auth.publicBaseUrl
    )
    base_url_mode = env_choice(env, "PAPERCLIP_AUTH_BASE_URL_MODE", ["auto", "explicit"])
    if base_url_mode is None:
        base_url_mode = (
            auth.baseUrlMode
            if (config and "baseUrlMode" in auth.model_fields_set)
            else ("explicit" if public_url else "auto")
        )
    if public_url:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"Invalid public base URL {public_url!r}: expected http(s)://host[:port] (PAPERCLIP_AUTH_PUBLIC_BASE_URL or auth.publicBaseUrl)"
            )

    issues = cross_field_issues(
        mode=mode,
        exposure=exposure,
        bind=bind,
        host=host,
        custom_bind_host=custom_host,
        base_url_mode=base_url_mode,
        public_base_url=public_url,
    )
    if issues:
        raise ConfigError(_explain(issues[0], host_env))

    if bind == "loopback":
        listen_host = host if host in LOOPBACK_HOSTS else "127.0.0.1"
    elif bind == "lan":
        listen_host = host if host in ("0.0.0.0", "::") else "0.0.0.0"
    elif bind == "tailnet":
        listen_host = _tailnet_host(env) or ""
        if not listen_host:
            raise ConfigError(
                "server.bind=tailnet requires a detected Tailscale address or PAPERCLIP_TAILNET_BIND_HOST"
            )
    else:
        listen_host = custom_host or host

    port = env_int(env, "PORT", 1, 65535) or server.port

    allowed = env_list(env, "PAPERCLIP_ALLOWED_HOSTNAMES")
    hostnames = [h.strip().lower() for h in (allowed if allowed is not None else server.allowedHostnames)]
    if public_url:
        hostnames.append((urlsplit(public_url).hostname or "").lower())
    allowed_hostnames = tuple(dict.fromkeys(h for h in hostnames if h))

    deletion = env_bool(env, "PAPERCLIP_ENABLE_COMPANY_DELETION")
    interval = env_str(env, "HEARTBEAT_SCHEDULER_INTERVAL_MS")
    try:
        interval_ms = max(10000, int(interval) if interval else 30000) if interval != "0" else 30000
    except ValueError:
        raise ConfigError(
            f"Invalid HEARTBEAT_SCHEDULER_INTERVAL_MS={interval!r}: expected milliseconds as an integer (minimum 10000)"
        ) from None

    log_format = env_choice(env, "PAPERCLIP_LOG_FORMAT", ["json", "text"]) or (
        "json" if mode == "authenticated" else "text"
    )
    log_level = env_choice(env, "PAPERCLIP_LOG_LEVEL", ["debug", "info", "warning", "error"]) or "info"

    return Settings(
        paths=paths,
        config_path=config_path,
        config=config,
        env=env,
        deployment_mode=mode,
        deployment_exposure=exposure,
        bind=bind,
        host=listen_host,
        port=port,
        auth_base_url_mode=base_url_mode,
        auth_public_base_url=public_url,
        auth_disable_sign_up=_bool(env, "PAPERCLIP_AUTH_DISABLE_SIGN_UP", auth.disableSignUp),
        better_auth_secret=env_str(env, "BETTER_AUTH_SECRET"),
        agent_jwt_secret=env_str(env, "PAPERCLIP_AGENT_JWT_SECRET"),
        agent_jwt_ttl_seconds=env_int(env, "PAPERCLIP_AGENT_JWT_TTL_SECONDS", 60, 10 * 365 * 86400) or 172800,
        agent_jwt_issuer=env_str(env, "PAPERCLIP_AGENT_JWT_ISSUER") or "paperclip",
        agent_jwt_audience=env_str(env, "PAPERCLIP_AGENT_JWT_AUDIENCE") or "paperclip-api",
        allowed_hostnames=allowed_hostnames,
        serve_ui=_bool(env, "SERVE_UI", server.serveUi),
        company_deletion_enabled=deletion if deletion is not None else mode == "local_trusted",
        heartbeat_scheduler_enabled=env.get("HEARTBEAT_SCHEDULER_ENABLED", "").strip() != "false",
        heartbeat_interval_ms=interval_ms,
        log_dir=expand(env_str(env, "PAPERCLIP_LOG_DIR") or file.logging.logDir or paths.logs_dir),
        log_format=log_format,
        log_level=log_level,
        workers=env_int(env, "PAPERCLIP_WORKERS", 1, 64) or 1,
        heartbeat_process=env_choice(env, "PAPERCLIP_HEARTBEAT_PROCESS", ["separate", "inline"])
        or "separate",
        telemetry_enabled=file.telemetry.enabled and not env_str(env, "PAPERCLIP_TELEMETRY_DISABLED"),
        database=_database(env, paths, file),
        backup=_backup(env, paths, file),
        storage=_storage(env, paths, file),
        secrets=_secrets(env, paths, file, config, mode),
        limits=run_limits(env),
        metrics_enabled=bool(env_bool(env, "PAPERCLIP_METRICS_ENABLED")),
        metrics_token=env_str(env, "PAPERCLIP_METRICS_TOKEN"),
        trusted_proxies=_trusted_proxies(env),
        request_body_timeout_sec=_default(env_int(env, "PAPERCLIP_REQUEST_BODY_TIMEOUT_SEC", 0, 86400), 60),
    )


def _default(value: int | None, default: int) -> int:
    return default if value is None else value


def _trusted_proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    """Each item an IP address or network; a typo is refused at start rather than silently trusting
    nobody (the proxy's clients would all share its address, e.g. for the sign-in throttle)."""
    import ipaddress

    items = env_list(env, "PAPERCLIP_TRUSTED_PROXIES") or []
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError(
                f"Invalid PAPERCLIP_TRUSTED_PROXIES item {item!r}: expected an IP address or CIDR "
                "network (comma-separated), e.g. 10.0.0.0/8,127.0.0.1"
            ) from None
    return tuple(items)


def _explain(issue: tuple[str, str], host_env: str | None) -> str:
    path, message = issue
    hints = {
        "server.bind": "set PAPERCLIP_BIND/HOST (or server.bind/server.host in config.json)"
        + (f"; HOST={host_env} is not a loopback address" if host_env else ""),
        "server.exposure": "set PAPERCLIP_DEPLOYMENT_EXPOSURE=private or PAPERCLIP_DEPLOYMENT_MODE=authenticated",
        "server.customBindHost": "set PAPERCLIP_BIND_HOST (or server.customBindHost)",
        "auth.publicBaseUrl": "set PAPERCLIP_AUTH_PUBLIC_BASE_URL (or auth.publicBaseUrl)",
        "auth.baseUrlMode": "set PAPERCLIP_AUTH_BASE_URL_MODE=explicit (or auth.baseUrlMode)",
    }
    return f"{message} ({hints.get(path, path)})"


def _bool(env: Mapping[str, str], name: str, fallback: bool) -> bool:
    value = env_bool(env, name)
    return fallback if value is None else value


def _database(env: Mapping[str, str], paths: InstancePaths, file: ConfigFile) -> DatabaseSettings:
    db = file.database
    url = env_str(env, "DATABASE_URL")
    warning = None
    if not url and db.mode == "postgres":
        url = db.connectionString
        if not url:
            warning = "database.mode=postgres but no DATABASE_URL or database.connectionString; using embedded PostgreSQL"
    env_port = env_int(env, "PAPERCLIP_EMBEDDED_POSTGRES_PORT", 1, 65535)
    port = env_port or db.embeddedPostgresPort
    port_source = "PAPERCLIP_EMBEDDED_POSTGRES_PORT" if env_port else "database.embeddedPostgresPort"
    data_dir = expand(
        env_str(env, "PAPERCLIP_EMBEDDED_POSTGRES_DATA_DIR") or db.embeddedPostgresDataDir or paths.db_dir
    )
    prepared = env_choice(env, "PAPERCLIP_DB_PREPARED_STATEMENTS", ["auto", "true", "false"]) or "auto"
    if prepared == "auto":
        use_prepared = not (url and uses_pooler(url))
    else:
        use_prepared = prepared == "true"
    prompt = env_choice(env, "PAPERCLIP_MIGRATION_PROMPT", ["never", "always", "auto"])
    return DatabaseSettings(
        embedded=not url,
        url=url or "",
        migration_url=env_str(env, "PAPERCLIP_MIGRATION_DATABASE_URL"),
        embedded_data_dir=data_dir,
        embedded_port=port,
        embedded_port_source=port_source,
        prepared_statements=use_prepared,
        pool_max=env_int(env, "PAPERCLIP_DB_POOL_MAX", 1, 1000) or 20,
        migration_auto_apply=env_str(env, "PAPERCLIP_MIGRATION_AUTO_APPLY") == "true",
        migration_prompt_never=prompt == "never",
        fallback_warning=warning,
    )


def _backup(env: Mapping[str, str], paths: InstancePaths, file: ConfigFile) -> BackupSettings:
    b = file.database.backup
    return BackupSettings(
        enabled=_bool(env, "PAPERCLIP_DB_BACKUP_ENABLED", b.enabled),
        interval_minutes=env_int(env, "PAPERCLIP_DB_BACKUP_INTERVAL_MINUTES", 1, 10080) or b.intervalMinutes,
        retention_days=env_int(env, "PAPERCLIP_DB_BACKUP_RETENTION_DAYS", 1, 3650) or b.retentionDays,
        dir=expand(env_str(env, "PAPERCLIP_DB_BACKUP_DIR") or b.dir or paths.backups_dir),
    )


def _storage(env: Mapping[str, str], paths: InstancePaths, file: ConfigFile) -> StorageSettings:
    s = file.storage
    return StorageSettings(
        provider=env_choice(env, "PAPERCLIP_STORAGE_PROVIDER", ["local_disk", "s3"]) or s.provider,
        local_dir=expand(
            env_str(env, "PAPERCLIP_STORAGE_LOCAL_DIR") or s.localDisk.baseDir or paths.storage_dir
        ),
        s3_bucket=env_str(env, "PAPERCLIP_STORAGE_S3_BUCKET") or s.s3.bucket,
        s3_region=env_str(env, "PAPERCLIP_STORAGE_S3_REGION") or s.s3.region,
        s3_endpoint=env_str(env, "PAPERCLIP_STORAGE_S3_ENDPOINT") or s.s3.endpoint,
        s3_prefix=(
            env.get("PAPERCLIP_STORAGE_S3_PREFIX") if "PAPERCLIP_STORAGE_S3_PREFIX" in env else s.s3.prefix
        )
        or "",
        s3_force_path_style=_bool(env, "PAPERCLIP_STORAGE_S3_FORCE_PATH_STYLE", s.s3.forcePathStyle),
        attachment_max_bytes=env_int(env, "PAPERCLIP_ATTACHMENT_MAX_BYTES", 1, 1024**3) or 10 * 1024 * 1024,
        allowed_attachment_types=(
            tuple(types) if (types := env_list(env, "PAPERCLIP_ALLOWED_ATTACHMENT_TYPES")) else None
        ),
    )


def _secrets(
    env: Mapping[str, str], paths: InstancePaths, file: ConfigFile, config: ConfigFile | None, mode: str
) -> SecretsSettings:
    s = file.secrets
    strict = env_bool(env, "PAPERCLIP_SECRETS_STRICT_MODE")
    if strict is None:
        strict = s.strictMode if (config and "strictMode" in s.model_fields_set) else mode == "authenticated"
    return SecretsSettings(
        provider=env_choice(env, "PAPERCLIP_SECRETS_PROVIDER", ["local_encrypted", "aws_secrets_manager"])
        or s.provider,
        strict_mode=strict,
        master_key=env_str(env, "PAPERCLIP_SECRETS_MASTER_KEY"),
        master_key_file=expand(
            env_str(env, "PAPERCLIP_SECRETS_MASTER_KEY_FILE")
            or s.localEncrypted.keyFilePath
            or paths.master_key
        ),
    )
