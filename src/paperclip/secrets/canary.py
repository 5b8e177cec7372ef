"""The master-key canary: a known plaintext encrypted under the key the database's secrets use.

Written with the first local_encrypted secret. Before a new value is encrypted the key in use must
decrypt it, so a drifted key (issue #3409: a container re-created with a new key file) is refused
instead of silently writing secrets under a second key; doctor decrypts it to prove the key matches.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.config import Settings
from paperclip.db.models import SecretKeyCanary
from paperclip.secrets.master_key import FILE_SETTING, MasterKey, MasterKeyError, load_master_key
from paperclip.secrets.providers.local_encrypted import DecryptionError, decrypt, encrypt

CANARY_ID = 1
CANARY_TEXT = "paperclip-master-key-canary"


def mismatch_message(current: str, expected: str) -> str:
    return (
        f"Secret decryption failed (master key fingerprint: {current}); this database's secrets were written "
        f"with master key fingerprint {expected}. Point PAPERCLIP_SECRETS_MASTER_KEY or {FILE_SETTING} "
        "at that key (restore it from your backup)"
    )


async def read(session: AsyncSession) -> SecretKeyCanary | None:
    return await session.get(SecretKeyCanary, CANARY_ID)


def verify(material: dict, key: MasterKey) -> bool:
    try:
        return decrypt(key.key, material) == CANARY_TEXT
    except DecryptionError:
        return False


async def key_for_writing(session: AsyncSession, settings: Settings) -> MasterKey:
    """The master key, proven to be the database's (the canary is written on first use). A missing
    key file is only created while the database holds no local secret."""
    row = await session.scalar(
        sa.select(SecretKeyCanary).where(SecretKeyCanary.id == CANARY_ID).with_for_update()
    )
    try:
        key = load_master_key(settings, create=row is None)
    except MasterKeyError as exc:
        if row is not None and "does not exist" in exc.message:
            raise MasterKeyError(
                f"{exc.message}; this database's secrets were written with master key fingerprint "
                f"{row.fingerprint}: restore that key file from your backup"
            ) from None
        raise
    if row is None:
        session.add(
            SecretKeyCanary(id=CANARY_ID, fingerprint=key.fingerprint, material=encrypt(key.key, CANARY_TEXT))
        )
        await session.flush()
    elif not verify(row.material, key):
        raise MasterKeyError(mismatch_message(key.fingerprint, row.fingerprint))
    return key


async def replace(session: AsyncSession, key: MasterKey) -> None:
    """After a master-key rotation: the canary under the new key (same transaction as the re-encryption)."""
    row = await read(session)
    material = encrypt(key.key, CANARY_TEXT)
    if row is None:
        session.add(SecretKeyCanary(id=CANARY_ID, fingerprint=key.fingerprint, material=material))
    else:
        row.fingerprint, row.material, row.updated_at = key.fingerprint, material, sa.func.now()
    await session.flush()
