"""The local_encrypted master key (reference §6.2): sources, decoding order, auto-creation, mode
repair, and the fingerprint named when the key does not match the database."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import uuid

import pytest

from paperclip.config.master_key import INVALID_ENV_KEY
from paperclip.secrets import service
from paperclip.secrets.master_key import MasterKeyError, fingerprint, load_master_key
from paperclip.secrets.providers.local_encrypted import DecryptionError, decrypt, encrypt

RAW = bytes(range(32))


def test_decoding_order_hex_then_base64_then_raw(make_settings):
    assert load_master_key(make_settings({"PAPERCLIP_SECRETS_MASTER_KEY": RAW.hex()})).key == RAW
    assert (
        load_master_key(make_settings({"PAPERCLIP_SECRETS_MASTER_KEY": base64.b64encode(RAW).decode()})).key
        == RAW
    )
    raw32 = "r" * 32
    assert load_master_key(make_settings({"PAPERCLIP_SECRETS_MASTER_KEY": raw32})).key == raw32.encode()
    # 64 hex characters are hex even though they are also valid base64 of 48 bytes
    hex_key = "ab" * 32
    assert load_master_key(make_settings({"PAPERCLIP_SECRETS_MASTER_KEY": hex_key})).key == bytes.fromhex(
        hex_key
    )
    for bad in ("short", "x" * 33, base64.b64encode(b"y" * 31).decode()):
        with pytest.raises(MasterKeyError) as err:
            load_master_key(make_settings({"PAPERCLIP_SECRETS_MASTER_KEY": bad}))
        assert err.value.message == INVALID_ENV_KEY


def test_env_key_wins_over_the_file(make_settings, paperclip_home):
    settings = make_settings()
    file_key = load_master_key(settings).key  # creates the file
    env = make_settings({"PAPERCLIP_SECRETS_MASTER_KEY": RAW.hex()})
    assert load_master_key(env).key == RAW != file_key


def test_key_file_is_created_0600_base64_and_its_mode_repaired(make_settings, paperclip_home):
    path = paperclip_home / "elsewhere" / "nested" / "master.key"
    settings = make_settings({"PAPERCLIP_SECRETS_MASTER_KEY_FILE": str(path)})
    key = load_master_key(settings)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert base64.b64decode(path.read_text().strip()) == key.key and len(key.key) == 32
    assert key.fingerprint == hashlib.sha256(key.key).hexdigest()[:12]
    os.chmod(path, 0o644)
    assert load_master_key(settings).key == key.key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(MasterKeyError) as err:
        load_master_key(
            make_settings({"PAPERCLIP_SECRETS_MASTER_KEY_FILE": str(path) + ".missing"}), create=False
        )
    assert "PAPERCLIP_SECRETS_MASTER_KEY_FILE" in err.value.message
    path.write_text("not a key\n")
    with pytest.raises(MasterKeyError) as err:
        load_master_key(settings)
    assert (
        "does not hold a valid key" in err.value.message
        and "PAPERCLIP_SECRETS_MASTER_KEY_FILE" in err.value.message
    )


def test_decryption_with_another_key_names_its_fingerprint():
    material = encrypt(RAW, "value")
    assert decrypt(RAW, material) == "value"
    other = b"o" * 32
    with pytest.raises(DecryptionError) as err:
        decrypt(other, material)
    assert err.value.message == f"Secret decryption failed (master key fingerprint: {fingerprint(other)})"
    tampered = {**material, "ciphertext": base64.b64encode(b"zzzzz").decode()}
    with pytest.raises(DecryptionError):
        decrypt(RAW, tampered)


async def test_a_replaced_key_file_is_refused_and_named(api, client, app, settings):
    cid = (await api.company())["id"]
    secret = await api.secret(cid, "s", "the-value")
    path = settings.secrets.master_key_file
    original = path.read_text()
    async with app.state.sessions() as session:
        assert await service.resolve_value(session, settings, uuid.UUID(cid), secret["id"]) == "the-value"
    expected = fingerprint(load_master_key(settings).key)

    path.write_text(
        base64.b64encode(b"n" * 32).decode() + "\n"
    )  # the #3409 drift: another key at the same path
    new_fp = fingerprint(b"n" * 32)
    async with app.state.sessions() as session:
        with pytest.raises(DecryptionError) as err:
            await service.resolve_value(session, settings, uuid.UUID(cid), secret["id"])
    assert err.value.message == f"Secret decryption failed (master key fingerprint: {new_fp})"
    # writing under the drifted key is refused (nothing written), naming both fingerprints and the setting
    for r in (
        await client.post(f"/api/companies/{cid}/secrets", json={"name": "t", "value": "v"}),
        await client.post(f"/api/secrets/{secret['id']}/rotate", json={"value": "v2"}),
    ):
        assert r.status_code == 422
        assert new_fp in r.json()["error"] and expected in r.json()["error"]
        assert "PAPERCLIP_SECRETS_MASTER_KEY_FILE" in r.json()["error"]
    assert [s["name"] for s in (await client.get(f"/api/companies/{cid}/secrets")).json()] == ["s"]
    assert (await client.get(f"/api/secrets/{secret['id']}")).json()["latestVersion"] == 1

    path.unlink()  # a lost key file is not silently replaced while the database holds secrets
    r = await client.post(f"/api/companies/{cid}/secrets", json={"name": "t", "value": "v"})
    assert r.status_code == 422 and expected in r.json()["error"] and not path.exists()

    path.write_text(original)
    os.chmod(path, 0o600)
    assert (
        await client.post(f"/api/companies/{cid}/secrets", json={"name": "t", "value": "v"})
    ).status_code == 201
