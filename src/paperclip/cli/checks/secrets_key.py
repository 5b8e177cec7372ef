"""Check 4, Secrets adapter: the master key is present, readable, valid and private, and it is the
key the database's secrets were written with (it decrypts the canary; the message names the
fingerprint the database expects)."""

from __future__ import annotations

import os
import stat

import sqlalchemy as sa

from paperclip.cli.checks.base import CheckResult
from paperclip.cli.instance_files import ensure_master_key
from paperclip.config import Settings
from paperclip.config.master_key import INVALID_ENV_KEY, decode_master_key
from paperclip.secrets.master_key import (
    AWS_SETTING,
    MasterKey,
    MasterKeyError,
    aws_secret_id,
    load_master_key,
)
from paperclip.secrets.providers.registry import AVAILABLE

NAME = "Secrets adapter"
CONNECT_TIMEOUT_SECONDS = 5
RESTORE_HINT = (
    "Point PAPERCLIP_SECRETS_MASTER_KEY_FILE (or PAPERCLIP_SECRETS_MASTER_KEY / "
    f"{AWS_SETTING}) at the key with fingerprint {{expected}}: restore it from your backup"
)


def check(settings: Settings) -> CheckResult:
    result = _key_check(settings)
    if result.status != "fail":
        _canary_check(settings, result)
    if result.status != "fail" and settings.secrets.provider == "aws_secrets_manager":
        _aws_check(settings, result)
    postgres = settings.config is not None and settings.config.database.mode == "postgres"
    if result.status == "pass" and postgres and not settings.secrets.strict_mode:
        result.status = "warn"
        result.message += "; strict secret mode is disabled for postgres deployment"
        result.hint = "Set PAPERCLIP_SECRETS_STRICT_MODE=true (or secrets.strictMode) so agent env secrets must be references"
    return result


def _key_check(settings: Settings) -> CheckResult:
    secrets = settings.secrets
    if secrets.provider not in AVAILABLE:
        return CheckResult(
            NAME,
            "fail",
            f"{secrets.provider} is configured, but this build only supports {', '.join(AVAILABLE)}",
            "Set secrets.provider (or PAPERCLIP_SECRETS_PROVIDER) to local_encrypted",
        )
    prefix = "aws_secrets_manager for new secrets; " if secrets.provider == "aws_secrets_manager" else ""
    if secrets.master_key is not None:
        if decode_master_key(secrets.master_key) is None:
            return CheckResult(NAME, "fail", INVALID_ENV_KEY, "Generate one with: openssl rand -base64 32")
        return CheckResult(
            NAME, "pass", f"{prefix}local_encrypted with PAPERCLIP_SECRETS_MASTER_KEY from the environment"
        )
    if aws_secret_id(settings):
        try:
            load_master_key(settings, create=False)
        except MasterKeyError as exc:
            return CheckResult(
                NAME, "fail", exc.message, f"Check {AWS_SETTING}, the AWS credentials and their IAM policy"
            )
        return CheckResult(
            NAME,
            "pass",
            f"{prefix}local_encrypted with the master key from AWS Secrets Manager "
            f"({aws_secret_id(settings)})",
        )
    path = secrets.master_key_file

    def create() -> str:
        ensure_master_key(path)
        return f"created {path} (32 random bytes, mode 0600)"

    if not path.exists():
        return CheckResult(
            NAME,
            "warn",
            f"Secrets key file {path} does not exist yet",
            "Run `paperclipai doctor --repair` to create it (it is also created on first use)",
            create,
        )
    try:
        material = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not text"
        return CheckResult(
            NAME,
            "fail",
            f"Cannot read secrets key file {path}: {reason}",
            "Fix its ownership/permissions (PAPERCLIP_SECRETS_MASTER_KEY_FILE / secrets.localEncrypted.keyFilePath)",
        )
    if decode_master_key(material) is None:
        # Never repaired: replacing a key makes every stored secret unreadable.
        return CheckResult(
            NAME,
            "fail",
            f"Secrets key file {path} does not hold a valid key "
            "(expected 32-byte base64, 64-char hex, or raw 32-char string)",
            "Restore the original key from your backup; a new key cannot decrypt existing secrets",
        )
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:

        def tighten() -> str:
            os.chmod(path, 0o600)
            return f"chmod 600 {path}"

        return CheckResult(
            NAME,
            "warn",
            f"Secrets key file permissions are {mode:04o}; run chmod 600 {path}",
            "Run `paperclipai doctor --repair` to fix the permissions",
            tighten,
        )
    return CheckResult(NAME, "pass", f"{prefix}local_encrypted with key file {path}")


def _database_url(settings: Settings) -> str | None:
    db = settings.database
    if not db.embedded:
        return db.url
    from urllib.parse import quote

    from paperclip.config.dbpassword import embedded_password
    from paperclip.db.embedded import DATABASE, SUPERUSER, port_in_use

    if not port_in_use(db.embedded_port):
        return None
    password = quote(embedded_password(settings), safe="")
    return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{db.embedded_port}/{DATABASE}"


def _read_canary(url: str) -> tuple[str, dict] | None | str:
    """(fingerprint, material), None when no secret was ever written, or why it could not be read."""
    import psycopg

    from paperclip.db.engine import connect_args, sqlalchemy_url
    from paperclip.secrets import queries
    from paperclip.secrets.canary import CANARY_ID

    engine = sa.create_engine(
        sqlalchemy_url(url),
        poolclass=sa.NullPool,
        connect_args={**connect_args(False), "connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )
    try:
        with engine.connect() as conn:
            if not queries.CANARY_TABLE_EXISTS.fetchval_sync(conn):
                return None
            row = queries.KEY_CANARY.fetchrow_sync(conn, id=CANARY_ID)
            return (row["fingerprint"], row["material"]) if row else None
    except (sa.exc.DBAPIError, psycopg.Error):
        return "the database is not reachable"
    finally:
        engine.dispose()


def _canary_check(settings: Settings, result: CheckResult) -> None:
    """Adds to `result`: whether the key in use decrypts the database's canary."""
    from paperclip.secrets import canary

    try:
        key: MasterKey | None = load_master_key(settings, create=False)
    except MasterKeyError:
        key = None  # a missing key file: the key check already says so
    url = _database_url(settings)
    if url is None:
        result.message += "; canary not checked (the embedded database is not running)"
        return
    found = _read_canary(url)
    if isinstance(found, str):
        result.message += f"; canary not checked ({found})"
        return
    if found is None:
        if key is not None:
            result.message += f"; key fingerprint {key.fingerprint} (no secret stored yet)"
        return
    expected, material = found
    if key is None:
        result.status, result.repair = (
            "fail",
            None,
        )  # creating a new key would not help: the database expects its own
        result.message += f"; the database's secrets were written with master key fingerprint {expected}"
        result.hint = RESTORE_HINT.format(expected=expected)
        return
    if canary.verify(material, key):
        result.message += f"; key fingerprint {key.fingerprint} decrypts the database's canary"
        return
    result.status, result.repair = "fail", None
    result.message = (
        f"Master key fingerprint {key.fingerprint} ({key.source}) does not decrypt this database's "
        f"secrets: they expect master key fingerprint {expected}"
    )
    result.hint = RESTORE_HINT.format(expected=expected)


def _aws_check(settings: Settings, result: CheckResult) -> None:
    """The provider of new secrets answers with these credentials (one ListSecrets call)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from paperclip.secrets.providers.aws import ENDPOINT, REGION, client, describe_failure

    try:
        client(settings).list_secrets(MaxResults=1)
    except (BotoCoreError, ClientError) as exc:
        result.status, result.repair = "fail", None
        result.message = describe_failure(settings, exc, "ListSecrets")
        result.hint = (
            f"PAPERCLIP_SECRETS_PROVIDER=aws_secrets_manager needs a reachable Secrets Manager: check {REGION}, "
            f"{ENDPOINT} and the AWS credential chain"
        )
        return
    result.message += "; AWS Secrets Manager reachable"
