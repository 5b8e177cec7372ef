"""`paperclipai secrets rotate-master-key` and the doctor's secrets check (the canary)."""

from __future__ import annotations

import os
import stat
import uuid

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from paperclip.cli.checks import secrets_key
from paperclip.cli.main import app as cli_app
from paperclip.clock import utcnow
from paperclip.db.engine import make_sync_engine
from paperclip.secrets import service
from paperclip.secrets.master_key import fingerprint, load_master_key
from paperclip.secrets.rotation import RotationError, rotate_master_key


def _materials(database_url):
    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(sa.text("SELECT id, material::text FROM company_secret_versions")).all())
    finally:
        engine.dispose()


async def _seed(api, client):
    values = {}
    for company in ("One", "Two"):
        cid = (await api.company(company))["id"]
        s = await api.secret(cid, "key", f"{company}-v1")
        await client.post(f"/api/secrets/{s['id']}/rotate", json={"value": f"{company}-v2"})
        values[(cid, s["id"])] = (f"{company}-v1", f"{company}-v2")
    return values


async def _assert_readable(app, settings, values):
    async with app.state.sessions() as session:
        for (cid, sid), (v1, v2) in values.items():
            assert await service.resolve_value(session, settings, uuid.UUID(cid), sid, 1) == v1
            assert await service.resolve_value(session, settings, uuid.UUID(cid), sid) == v2


def _doctor(make_settings, database_url, **env):
    settings = make_settings({"DATABASE_URL": database_url, **env})
    return secrets_key.check(settings)


async def test_rotation_reencrypts_every_version_and_keeps_a_dated_backup(
    api, client, app, settings, database_url, make_settings
):
    values = await _seed(api, client)
    key_file = settings.secrets.master_key_file
    old_text, old = key_file.read_text(), load_master_key(settings)
    before = _materials(database_url)
    assert _doctor(make_settings, database_url).message.endswith(
        f"key fingerprint {old.fingerprint} decrypts the database's canary"
    )

    # the real command line, on the same instance (settings.env holds its PAPERCLIP_HOME) and database
    result = CliRunner().invoke(
        cli_app,
        ["secrets", "rotate-master-key", "--yes", "--json"],
        env={**settings.env, "DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    after = _materials(database_url)
    assert set(after) == set(before) and all(after[k] != before[k] for k in before) and len(after) == 4
    new = load_master_key(settings)
    assert new.key != old.key and stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    backups = list(key_file.parent.glob("master.key.*.bak"))
    assert (
        len(backups) == 1
        and backups[0].read_text() == old_text
        and stat.S_IMODE(os.stat(backups[0]).st_mode) == 0o600
    )
    assert not key_file.with_name("master.key.new").exists()
    assert (
        f'"oldFingerprint": "{old.fingerprint}"' in result.output
        and f'"newFingerprint": "{new.fingerprint}"' in result.output
    )
    await _assert_readable(app, settings, values)
    check = _doctor(make_settings, database_url)
    assert check.status == "pass" and f"key fingerprint {new.fingerprint} decrypts" in check.message
    # new secrets are written under the new key
    cid = next(iter(values))[0]
    assert (
        await client.post(f"/api/companies/{cid}/secrets", json={"name": "after", "value": "x"})
    ).status_code == 201

    # doctor names the fingerprint the database expects when the old key is put back by mistake
    key_file.write_text(old_text)
    check = _doctor(make_settings, database_url)
    assert check.status == "fail"
    assert check.message == (
        f"Master key fingerprint {old.fingerprint} (file:{key_file}) does not decrypt this database's "
        f"secrets: they expect master key fingerprint {new.fingerprint}"
    )
    assert new.fingerprint in check.hint and "PAPERCLIP_SECRETS_MASTER_KEY_FILE" in check.hint
    # and when the key file is gone, repair does not offer a fresh key: the database expects its own
    key_file.unlink()
    check = _doctor(make_settings, database_url)
    assert check.status == "fail" and check.repair is None and new.fingerprint in check.message


async def test_a_failed_rotation_leaves_every_secret_readable(api, client, app, settings, database_url):
    values = await _seed(api, client)
    key_file = settings.secrets.master_key_file
    old_text = key_file.read_text()
    before = _materials(database_url)
    with pytest.raises(RotationError):
        rotate_master_key(settings, database_url, utcnow(), _fail_before_commit=True)
    assert key_file.read_text() == old_text and not key_file.with_name("master.key.new").exists()
    assert _materials(database_url) == before
    await _assert_readable(app, settings, values)

    # a version the current key cannot read stops the rotation before anything is written
    engine = make_sync_engine(database_url)
    with engine.begin() as conn:
        victim = conn.execute(sa.text("SELECT id FROM company_secret_versions ORDER BY id LIMIT 1")).scalar()
        conn.execute(
            sa.text(
                "UPDATE company_secret_versions SET material = jsonb_set(material, '{tag}', "
                "'\"AAAAAAAAAAAAAAAAAAAAAA==\"') WHERE id = :id"
            ),
            {"id": victim},
        )
    engine.dispose()
    broken = _materials(database_url)
    with pytest.raises(RotationError) as err:
        rotate_master_key(settings, database_url, utcnow())
    assert str(victim) in err.value.message and "nothing was changed" in err.value.message
    assert _materials(database_url) == broken and key_file.read_text() == old_text


async def test_rotation_refuses_a_key_that_does_not_match_the_database(api, client, settings, database_url):
    await _seed(api, client)
    settings.secrets.master_key_file.write_text("w" * 32)
    with pytest.raises(RotationError) as err:
        rotate_master_key(settings, database_url, utcnow())
    assert (
        f"fingerprint {fingerprint(b'w' * 32)}" in err.value.message
        and "nothing was changed" in err.value.message
    )
    from paperclip.config import load_settings

    with pytest.raises(RotationError) as err:
        rotate_master_key(
            load_settings({**settings.env, "PAPERCLIP_SECRETS_MASTER_KEY": "k" * 32}), database_url, utcnow()
        )
    assert "PAPERCLIP_SECRETS_MASTER_KEY" in err.value.message


def test_doctor_on_a_fresh_instance_offers_to_create_the_key(make_settings, paperclip_home):
    check = secrets_key.check(make_settings())
    assert check.status == "warn" and check.repair is not None
    check.repair()
    key_file = make_settings().secrets.master_key_file
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert secrets_key.check(make_settings()).status == "pass"


@pytest.mark.parametrize("where", ["env", "aws"])
async def test_a_key_held_in_env_or_aws_is_refused_with_the_steps_that_rotate_it(
    api, client, settings, database_url, where
):
    values = await _seed(api, client)
    before = _materials(database_url)
    key_text = settings.secrets.master_key_file.read_text().strip()
    env = {**settings.env, "DATABASE_URL": database_url}
    if where == "env":
        env["PAPERCLIP_SECRETS_MASTER_KEY"] = key_text
    else:
        env["PAPERCLIP_SECRETS_MASTER_KEY_AWS_SECRET_ID"] = "prod/paperclip-master-key"
    result = CliRunner().invoke(cli_app, ["secrets", "rotate-master-key", "--yes"], env=env)
    assert result.exit_code != 0
    output = " ".join(result.output.split())
    keyfile = str(settings.secrets.master_key_file)
    if where == "env":
        assert (
            "comes from PAPERCLIP_SECRETS_MASTER_KEY; rotate-master-key does not write environment variables"
            in output
        )
        assert "PAPERCLIP_SECRETS_MASTER_KEY unset" in output
    else:
        assert "PAPERCLIP_SECRETS_MASTER_KEY_AWS_SECRET_ID=prod/paperclip-master-key" in output
        assert "put-secret-value --secret-id prod/paperclip-master-key" in output
    assert f"PAPERCLIP_SECRETS_MASTER_KEY_FILE={keyfile}" in output.replace(" ", "") or keyfile in output
    assert key_text not in result.output  # the key itself is never printed
    assert _materials(database_url) == before and values
    assert settings.secrets.master_key_file.read_text().strip() == key_text
    assert not list(settings.secrets.master_key_file.parent.glob("master.key.*.bak"))
