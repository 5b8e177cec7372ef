"""Master-key rotation: every local_encrypted version re-encrypted under a new key in one transaction.

Order, so that a failure at any step leaves every secret readable with a key on disk:
1. the current key must decrypt the canary and every version (else nothing is written);
2. the new key is written beside the key file (`<file>.new`, 0600, fsynced) and the current key
   copied to a dated backup (`<file>.<UTC time>.bak`, 0600);
3. one transaction re-encrypts every version and the canary, and commits;
4. the new key replaces the key file (an atomic rename).
A failure before the commit removes `<file>.new`: the database and the key file are unchanged.
"""

from __future__ import annotations

import base64
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from paperclip.config import Settings
from paperclip.config.master_key import decode_master_key
from paperclip.db.engine import make_sync_engine
from paperclip.errors import AppError
from paperclip.secrets import queries
from paperclip.secrets.canary import CANARY_ID, CANARY_TEXT
from paperclip.secrets.master_key import (
    AWS_SETTING,
    ENV_SETTING,
    FILE_SETTING,
    MasterKeyError,
    aws_secret_id,
    fingerprint,
    load_master_key,
    new_key_text,
    write_key_file,
)
from paperclip.secrets.providers.local_encrypted import DecryptionError, decrypt, encrypt


class RotationError(AppError):
    status_code = 422


@dataclass(frozen=True)
class RotationResult:
    key_file: Path
    backup_file: Path
    old_fingerprint: str
    new_fingerprint: str
    versions: int

    def to_json(self) -> dict[str, object]:
        return {
            "keyFile": str(self.key_file),
            "backupFile": str(self.backup_file),
            "oldFingerprint": self.old_fingerprint,
            "newFingerprint": self.new_fingerprint,
            "reencryptedVersions": self.versions,
        }


def env_key_refusal(settings: Settings) -> str | None:
    """Why a key held outside a file cannot be rotated by this command, and the steps that rotate it.
    The command never writes an environment variable or a vault: whoever set the key replaces it."""
    keyfile = settings.secrets.master_key_file
    steps = (
        f"2. stop every Paperclip server of this database; 3. run `paperclipai secrets rotate-master-key` with "
        f"{{unset}} and {FILE_SETTING}={keyfile} (it re-encrypts every secret in one transaction and keeps the old "
        f"key as a dated .bak beside it); 4. {{store}}; 5. start the servers."
    )
    if settings.secrets.master_key is not None:
        return (
            f"The master key comes from {ENV_SETTING}; rotate-master-key does not write environment variables. "
            f"To rotate it: 1. save the current key to a file: "
            f'(umask 077; printf %s "${ENV_SETTING}" > {keyfile}); '
            + steps.format(
                unset=f"{ENV_SETTING} unset",
                store=f"either keep using the file (leave {ENV_SETTING} unset) or set {ENV_SETTING} to "
                f"the new file's content where you manage it (secret store, orchestrator)",
            )
        )
    secret_id = aws_secret_id(settings)
    if secret_id:
        return (
            f"The master key comes from AWS Secrets Manager ({AWS_SETTING}={secret_id}); rotate-master-key does "
            f"not write to AWS. To rotate it: 1. save the current key to a file: (umask 077; aws secretsmanager "
            f"get-secret-value --secret-id {secret_id} --query SecretString --output text > {keyfile}); "
            + steps.format(
                unset=f"{AWS_SETTING} unset",
                store=f"put the new key in AWS: aws secretsmanager put-secret-value --secret-id "
                f"{secret_id} --secret-string file://{keyfile}, then delete the file and its .bak "
                f"once your vault's version history holds both keys",
            )
        )
    return None


def rotate_master_key(
    settings: Settings,
    database_url: str,
    now: datetime,
    *,
    new_key: str | None = None,
    _fail_before_commit: bool = False,
) -> RotationResult:
    import json

    refusal = env_key_refusal(settings)
    if refusal:
        raise RotationError(refusal)
    path = settings.secrets.master_key_file
    try:
        old = load_master_key(settings, create=False)
    except MasterKeyError as exc:
        raise RotationError(exc.message) from None
    new_text = new_key or new_key_text()
    new = decode_master_key(new_text)
    if new is None:
        raise RotationError(
            "The new master key is invalid (expected 32-byte base64, 64-char hex, or raw 32-char string)"
        )
    if new == old.key:
        raise RotationError("The new master key is the current one")
    pending = path.with_name(path.name + ".new")
    backup = path.with_name(f"{path.name}.{now.strftime('%Y%m%dT%H%M%SZ')}.bak")
    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as conn:
            with conn.begin():
                canary = queries.KEY_CANARY_FOR_UPDATE.fetchrow_sync(conn, id=CANARY_ID)
                if canary is not None:
                    try:
                        ok = decrypt(old.key, canary["material"]) == CANARY_TEXT
                    except DecryptionError:
                        ok = False
                    if not ok:
                        raise RotationError(
                            f"The current master key (fingerprint {old.fingerprint}) does not match this "
                            f"database (it expects fingerprint {canary['fingerprint']}); nothing was changed"
                        )
                rows = queries.LOCAL_VERSIONS_FOR_UPDATE.fetch_sync(conn)
                updates = []
                for row in rows:
                    try:
                        value = decrypt(old.key, row["material"])
                    except DecryptionError as exc:
                        raise RotationError(
                            f"{exc.message}: secret version {row['id']} cannot be read with the current "
                            "key; nothing was changed"
                        ) from None
                    updates.append({"id": row["id"], "material": json.dumps(encrypt(new, value))})
                for update in updates:
                    queries.SET_VERSION_MATERIAL.execute_sync(conn, **update)
                queries.UPSERT_KEY_CANARY.execute_sync(
                    conn, id=CANARY_ID, fp=fingerprint(new), material=json.dumps(encrypt(new, CANARY_TEXT))
                )
                write_key_file(pending, base64.b64encode(new).decode() if new_key is None else new_text)
                shutil.copy2(path, backup)
                os.chmod(backup, 0o600)
                if _fail_before_commit:
                    raise RotationError("rotation interrupted before commit (test)")
            # committed: the database is under the new key; the key file follows
            os.replace(pending, path)
    except BaseException:
        if pending.exists() and decode_master_key(path.read_text(encoding="utf-8")) == old.key:
            pending.unlink(missing_ok=True)
        raise
    finally:
        engine.dispose()
    return RotationResult(path, backup, old.fingerprint, fingerprint(new), len(rows))
