"""The config.json file: every field and default of the original's schema, and its cross-field rules.

Path fields default to None here; Settings fills them from the instance root so that a non-default
instance id never points at the default instance's files.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from paperclip.errors import ConfigError

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
ALL_INTERFACES = {"0.0.0.0", "::"}


class _Section(BaseModel):
    # Unknown keys are kept (newer versions add sections), so a round trip never loses data.
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Meta(_Section):
    version: Literal[1]
    updatedAt: str
    source: Literal["onboard", "configure", "doctor"]


class Llm(_Section):
    provider: Literal["claude", "openai"]
    apiKey: str | None = None


class Backup(_Section):
    enabled: bool = True
    intervalMinutes: int = Field(60, ge=1, le=10080)
    retentionDays: int = Field(7, ge=1, le=3650)
    dir: str | None = None


class Database(_Section):
    mode: Literal["embedded-postgres", "postgres"] = "embedded-postgres"
    connectionString: str | None = None
    embeddedPostgresDataDir: str | None = None
    embeddedPostgresPort: int = Field(54329, ge=1, le=65535)
    backup: Backup = Field(default_factory=Backup)


class Logging(_Section):
    mode: Literal["file", "cloud"] = "file"
    logDir: str | None = None


class Server(_Section):
    deploymentMode: Literal["local_trusted", "authenticated"] = "local_trusted"
    exposure: Literal["private", "public"] = "private"
    bind: Literal["loopback", "lan", "tailnet", "custom"] | None = None
    customBindHost: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(3100, ge=1, le=65535)
    allowedHostnames: list[str] = Field(default_factory=list)
    serveUi: bool = True

    @field_validator("allowedHostnames")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if any(not item.strip() for item in value):
            raise ValueError("allowed hostnames must be non-empty strings")
        return value


class Telemetry(_Section):
    enabled: bool = True


class Auth(_Section):
    baseUrlMode: Literal["auto", "explicit"] = "auto"
    publicBaseUrl: str | None = None
    disableSignUp: bool = False


class LocalDisk(_Section):
    baseDir: str | None = None


class S3(_Section):
    bucket: str = Field("paperclip", min_length=1)
    region: str = Field("us-east-1", min_length=1)
    endpoint: str | None = None
    prefix: str = ""
    forcePathStyle: bool = False


class Storage(_Section):
    provider: Literal["local_disk", "s3"] = "local_disk"
    localDisk: LocalDisk = Field(default_factory=LocalDisk)
    s3: S3 = Field(default_factory=S3)


class LocalEncrypted(_Section):
    keyFilePath: str | None = None


class Secrets(_Section):
    provider: Literal["local_encrypted", "aws_secrets_manager"] = "local_encrypted"
    strictMode: bool = False
    localEncrypted: LocalEncrypted = Field(default_factory=LocalEncrypted)


class ConfigFile(_Section):
    meta: Meta = Field(alias="$meta")
    llm: Llm | None = None
    database: Database = Field(default_factory=Database)
    logging: Logging = Field(default_factory=Logging)
    server: Server = Field(default_factory=Server)
    telemetry: Telemetry = Field(default_factory=Telemetry)
    auth: Auth = Field(default_factory=Auth)
    storage: Storage = Field(default_factory=Storage)
    secrets: Secrets = Field(default_factory=Secrets)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


def infer_bind(host: str | None) -> str:
    value = (host or "").strip().lower()
    if value in ("", *LOOPBACK_HOSTS):
        return "loopback"
    if value in ALL_INTERFACES:
        return "lan"
    return "custom"


def cross_field_issues(
    *,
    mode: str,
    exposure: str,
    bind: str,
    host: str,
    custom_bind_host: str | None,
    base_url_mode: str,
    public_base_url: str | None,
) -> list[tuple[str, str]]:
    """The original's superRefine rules, as (path, message) pairs; shared by file and env checks."""
    issues: list[tuple[str, str]] = []
    if mode == "local_trusted" and exposure != "private":
        issues.append(
            ("server.exposure", "server.exposure must be private when deploymentMode is local_trusted")
        )
    if mode == "local_trusted" and bind != "loopback":
        issues.append(("server.bind", "local_trusted requires server.bind=loopback"))
    if (
        bind == "custom"
        and not custom_bind_host
        and (host.strip() in LOOPBACK_HOSTS | ALL_INTERFACES or not host.strip())
    ):
        issues.append(("server.customBindHost", "server.customBindHost is required when server.bind=custom"))
    if mode == "authenticated" and exposure == "public" and bind == "tailnet":
        issues.append(
            ("server.bind", "server.bind=tailnet is only supported for authenticated/private deployments")
        )
    if mode == "authenticated":
        if base_url_mode == "explicit" and not public_base_url:
            issues.append(
                ("auth.publicBaseUrl", "auth.publicBaseUrl is required when auth.baseUrlMode is explicit")
            )
        if exposure == "public" and base_url_mode != "explicit":
            issues.append(
                (
                    "auth.baseUrlMode",
                    "auth.baseUrlMode must be explicit when deploymentMode=authenticated and exposure=public",
                )
            )
        if exposure == "public" and not public_base_url:
            issues.append(
                (
                    "auth.publicBaseUrl",
                    "auth.publicBaseUrl is required when deploymentMode=authenticated and exposure=public",
                )
            )
    return issues


def _migrate_legacy(raw: dict[str, Any]) -> dict[str, Any]:
    database = raw.get("database")
    if isinstance(database, dict):
        if database.get("mode") == "pglite":
            database["mode"] = "embedded-postgres"
        if "pgliteDataDir" in database:
            database.setdefault("embeddedPostgresDataDir", database.pop("pgliteDataDir"))
        if "pglitePort" in database:
            database.setdefault("embeddedPostgresPort", database.pop("pglitePort"))
    return raw


def parse_config(raw: Any, source: str) -> ConfigFile:
    """Validate a decoded config; errors read `Invalid config at <file>: path: message; ...`."""
    if not isinstance(raw, dict):
        raise ConfigError(f"Invalid config at {source}: the file must hold a JSON object")
    try:
        config = ConfigFile.model_validate(_migrate_legacy(raw))
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            path = ".".join(str(p) for p in err["loc"]) or "(root)"
            message = err["msg"]
            if err["type"] == "literal_error" and "expected" in err.get("ctx", {}):
                message = f"must be one of {err['ctx']['expected']}"
            parts.append(f"{path}: {message}")
        raise ConfigError(f"Invalid config at {source}: " + "; ".join(parts)) from None
    server, auth = config.server, config.auth
    issues = cross_field_issues(
        mode=server.deploymentMode,
        exposure=server.exposure,
        bind=server.bind or infer_bind(server.host),
        host=server.host,
        custom_bind_host=server.customBindHost,
        base_url_mode=auth.baseUrlMode,
        public_base_url=auth.publicBaseUrl,
    )
    if issues:
        raise ConfigError(f"Invalid config at {source}: " + "; ".join(f"{p}: {m}" for p, m in issues))
    return config
