"""aws_secrets_manager against a real Secrets Manager-compatible server (moto, 127.0.0.1), and the
local master key kept in AWS Secrets Manager or in a mounted file."""

from __future__ import annotations

import base64
import json
import os
import stat
import uuid

import boto3
import sqlalchemy as sa

from paperclip.secrets import service
from paperclip.secrets.master_key import fingerprint, load_master_key
from paperclip.secrets.providers.aws import forget_cached_master_keys


def _sm(endpoint):
    return boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=endpoint)


async def _versions_material(app):
    async with app.state.sessions() as session:
        return [
            json.dumps(m)
            for m in (
                await session.execute(
                    sa.text("SELECT material FROM company_secret_versions ORDER BY version")
                )
            ).scalars()
        ]


async def test_managed_secrets_live_in_aws_and_resolve_by_version(app_with, aws_env, moto_endpoint):
    env = {
        **aws_env,
        "PAPERCLIP_SECRETS_PROVIDER": "aws_secrets_manager",
        "PAPERCLIP_SECRETS_AWS_PREFIX": "pc-test",
    }
    async with app_with(env) as (app, client):
        cid = (await client.post("/api/companies", json={"name": "Aws"})).json()["id"]
        r = await client.post(f"/api/companies/{cid}/secrets", json={"name": "openai", "value": "sk-aws-v1"})
        assert r.status_code == 201, r.text
        secret = r.json()
        assert secret["provider"] == "aws_secrets_manager" and secret["managedMode"] == "paperclip_managed"
        name = f"pc-test/{cid}/{secret['id']}"
        assert _sm(moto_endpoint).get_secret_value(SecretId=name)["SecretString"] == "sk-aws-v1"
        r = await client.post(f"/api/secrets/{secret['id']}/rotate", json={"value": "sk-aws-v2"})
        assert r.status_code == 200 and r.json()["latestVersion"] == 2
        materials = await _versions_material(app)
        assert len(materials) == 2 and not any("sk-aws" in m for m in materials)
        settings = app.state.settings
        async with app.state.sessions() as session:
            assert await service.resolve_value(session, settings, uuid.UUID(cid), secret["id"]) == "sk-aws-v2"
            assert (
                await service.resolve_value(session, settings, uuid.UUID(cid), secret["id"], 1) == "sk-aws-v1"
            )
        # deleting schedules the managed copy for deletion in AWS
        assert (await client.delete(f"/api/secrets/{secret['id']}")).status_code == 200
        assert "DeletedDate" in _sm(moto_endpoint).describe_secret(SecretId=name)


async def test_external_references_resolve_at_run_time(app_with, aws_env, moto_endpoint):
    sm = _sm(moto_endpoint)
    ref = f"prod/db-{uuid.uuid4().hex[:6]}"
    sm.create_secret(Name=ref, SecretString=json.dumps({"user": "app", "password": "db-pass-1"}))
    async with app_with(aws_env) as (app, client):
        cid = (await client.post("/api/companies", json={"name": "Ext"})).json()["id"]
        r = await client.post(
            f"/api/companies/{cid}/secrets",
            json={"name": "db", "provider": "aws_secrets_manager", "externalRef": f"{ref}#password"},
        )
        assert r.status_code == 201, r.text
        secret = r.json()
        assert secret["managedMode"] == "external_reference" and secret["externalRef"] == f"{ref}#password"
        sm.put_secret_value(SecretId=ref, SecretString=json.dumps({"password": "db-pass-2"}))
        async with app.state.sessions() as session:
            value = await service.resolve_value(session, app.state.settings, uuid.UUID(cid), secret["id"])
        assert value == "db-pass-2"  # the referenced secret's current value
        r = await client.post(f"/api/secrets/{secret['id']}/rotate", json={"value": "nope"})
        assert r.status_code == 422 and "externalRef" in r.json()["error"]
        other = f"{ref}-next"
        sm.create_secret(Name=other, SecretString="next-value")
        r = await client.post(f"/api/secrets/{secret['id']}/rotate", json={"externalRef": other})
        assert r.status_code == 200 and r.json()["latestVersion"] == 2 and r.json()["externalRef"] == other
        async with app.state.sessions() as session:
            assert (
                await service.resolve_value(session, app.state.settings, uuid.UUID(cid), secret["id"])
                == "next-value"
            )
            assert (
                await service.resolve_value(session, app.state.settings, uuid.UUID(cid), secret["id"], 1)
                == "db-pass-2"
            )
        # a reference that does not exist is refused, naming it; nothing is written
        r = await client.post(
            f"/api/companies/{cid}/secrets",
            json={"name": "missing", "provider": "aws_secrets_manager", "externalRef": "does/not/exist"},
        )
        assert (
            r.status_code == 422
            and r.json()["error"] == "AWS Secrets Manager: secret does/not/exist not found"
        )
        assert (await client.delete(f"/api/secrets/{secret['id']}")).status_code == 200
        assert "DeletedDate" not in sm.describe_secret(
            SecretId=ref
        )  # a referenced secret is not ours to delete
        names = [s["name"] for s in (await client.get(f"/api/companies/{cid}/secrets")).json()]
        assert names == []


async def test_an_unreachable_endpoint_is_a_clear_422_naming_the_setting(app_with, aws_env):
    env = {
        **aws_env,
        "PAPERCLIP_SECRETS_AWS_ENDPOINT": "http://127.0.0.1:9",
        "PAPERCLIP_SECRETS_PROVIDER": "aws_secrets_manager",
    }
    async with app_with(env) as (app, client):
        cid = (await client.post("/api/companies", json={"name": "Down"})).json()["id"]
        r = await client.post(f"/api/companies/{cid}/secrets", json={"name": "x", "value": "v"})
        assert r.status_code == 422, r.text
        assert "PAPERCLIP_SECRETS_AWS_ENDPOINT" in r.json()["error"]
        assert (await client.get(f"/api/companies/{cid}/secrets")).json() == []


async def test_the_master_key_can_live_in_aws_secrets_manager(
    app_with, aws_env, moto_endpoint, paperclip_home
):
    key = os.urandom(32)
    secret_id = f"paperclip/master-key-{uuid.uuid4().hex[:6]}"
    _sm(moto_endpoint).create_secret(Name=secret_id, SecretString=base64.b64encode(key).decode())
    forget_cached_master_keys()
    env = {**aws_env, "PAPERCLIP_SECRETS_MASTER_KEY_AWS_SECRET_ID": secret_id}
    async with app_with(env) as (app, client):
        loaded = load_master_key(app.state.settings)
        assert loaded.key == key and loaded.source == f"aws:{secret_id}"
        cid = (await client.post("/api/companies", json={"name": "Vault"})).json()["id"]
        r = await client.post(
            f"/api/companies/{cid}/secrets", json={"name": "s", "value": "local-but-vaulted"}
        )
        assert r.status_code == 201, r.text
        assert not app.state.settings.secrets.master_key_file.exists()  # no key file written
        async with app.state.sessions() as session:
            assert (
                await service.resolve_value(session, app.state.settings, uuid.UUID(cid), r.json()["id"])
                == "local-but-vaulted"
            )
            fp = (await session.execute(sa.text("SELECT fingerprint FROM secret_key_canaries"))).scalar()
        assert fp == fingerprint(key)
    forget_cached_master_keys()
    async with app_with({**aws_env, "PAPERCLIP_SECRETS_MASTER_KEY_AWS_SECRET_ID": "missing/key"}) as (
        app,
        client,
    ):
        cid = (await client.post("/api/companies", json={"name": "Missing"})).json()["id"]
        r = await client.post(f"/api/companies/{cid}/secrets", json={"name": "s", "value": "v"})
        assert r.status_code == 422
        assert r.json()["error"].startswith(
            "Cannot load the master key from PAPERCLIP_SECRETS_MASTER_KEY_AWS_SECRET_ID=missing/key"
        )


async def test_the_master_key_can_be_a_file_mounted_by_the_orchestrator(app_with, paperclip_home):
    mounted = paperclip_home / "run-secrets" / "paperclip-master-key"
    mounted.parent.mkdir()
    mounted.write_text(os.urandom(32).hex())
    os.chmod(mounted, 0o400)
    before = mounted.read_text()
    async with app_with({"PAPERCLIP_SECRETS_MASTER_KEY_FILE": str(mounted)}) as (app, client):
        cid = (await client.post("/api/companies", json={"name": "Mounted"})).json()["id"]
        r = await client.post(f"/api/companies/{cid}/secrets", json={"name": "s", "value": "v-mounted"})
        assert r.status_code == 201, r.text
        assert load_master_key(app.state.settings).key == bytes.fromhex(before)
    assert mounted.read_text() == before and stat.S_IMODE(os.stat(mounted).st_mode) == 0o400


def test_doctor_probes_aws_secrets_manager_when_it_is_the_provider(make_settings, aws_env):
    from paperclip.cli.checks import secrets_key

    ok = secrets_key.check(make_settings({**aws_env, "PAPERCLIP_SECRETS_PROVIDER": "aws_secrets_manager"}))
    assert ok.status in ("pass", "warn") and "AWS Secrets Manager reachable" in ok.message
    down = secrets_key.check(
        make_settings(
            {
                **aws_env,
                "PAPERCLIP_SECRETS_PROVIDER": "aws_secrets_manager",
                "PAPERCLIP_SECRETS_AWS_ENDPOINT": "http://127.0.0.1:9",
            }
        )
    )
    assert down.status == "fail" and "PAPERCLIP_SECRETS_AWS_ENDPOINT" in down.message


async def _queue(app):
    async with app.state.sessions() as session:
        return [
            dict(r._mapping)
            for r in await session.execute(
                sa.text(
                    "SELECT secret_ref, attempts, last_error, company_id FROM secret_deletions ORDER BY secret_ref"
                )
            )
        ]


async def test_a_deleted_company_s_managed_secrets_are_deleted_in_aws_retrying_failures(
    app_with, aws_env, moto_endpoint
):
    from paperclip.secrets import cleanup

    env = {
        **aws_env,
        "PAPERCLIP_SECRETS_PROVIDER": "aws_secrets_manager",
        "PAPERCLIP_SECRETS_AWS_PREFIX": "pc-gone",
    }
    sm = _sm(moto_endpoint)
    ref_name = f"external-{uuid.uuid4().hex[:8]}"
    sm.create_secret(Name=ref_name, SecretString="not ours")
    async with app_with(env) as (app, client):
        cid = (await client.post("/api/companies", json={"name": "Doomed"})).json()["id"]
        keep_cid = (await client.post("/api/companies", json={"name": "Stays"})).json()["id"]
        names = []
        for n in ("a", "b"):
            s = (
                await client.post(f"/api/companies/{cid}/secrets", json={"name": n, "value": f"v-{n}"})
            ).json()
            await client.post(f"/api/secrets/{s['id']}/rotate", json={"value": f"v2-{n}"})
            names.append(f"pc-gone/{cid}/{s['id']}")
        await client.post(f"/api/companies/{cid}/secrets", json={"name": "ref", "externalRef": ref_name})
        kept = (
            await client.post(f"/api/companies/{keep_cid}/secrets", json={"name": "k", "value": "v"})
        ).json()

        # AWS unreachable when the sweep runs: the deletions stay queued with the error, retried later
        app.state.settings.env["PAPERCLIP_SECRETS_AWS_ENDPOINT"] = "http://127.0.0.1:9"
        assert (await client.delete(f"/api/companies/{cid}")).status_code == 200
        queued = await _queue(app)
        assert len(queued) == 2 and all(any(n in q["secret_ref"] for n in names) for q in queued)
        assert {q["company_id"] for q in queued} == {uuid.UUID(cid)}
        assert await cleanup.drain(app.state.sessions, app.state.settings) == 0
        queued = await _queue(app)
        assert all(q["attempts"] == 1 and "PAPERCLIP_SECRETS_AWS_ENDPOINT" in q["last_error"] for q in queued)
        for name in names:
            assert "DeletedDate" not in sm.describe_secret(SecretId=name)
        assert await cleanup.drain(app.state.sessions, app.state.settings) == 0  # not due yet: backoff

        app.state.settings.env["PAPERCLIP_SECRETS_AWS_ENDPOINT"] = moto_endpoint
        async with app.state.sessions() as session, session.begin():
            await session.execute(sa.text("UPDATE secret_deletions SET next_attempt_at = now()"))
        assert await cleanup.drain(app.state.sessions, app.state.settings) == 2
        assert await _queue(app) == []
        for name in names:
            assert "DeletedDate" in sm.describe_secret(SecretId=name)
        assert "DeletedDate" not in sm.describe_secret(SecretId=ref_name)  # a referenced secret is not ours
        assert "DeletedDate" not in sm.describe_secret(SecretId=f"pc-gone/{keep_cid}/{kept['id']}")


async def test_a_rolled_back_deletion_queues_nothing(app_with, aws_env, moto_endpoint):
    env = {**aws_env, "PAPERCLIP_SECRETS_PROVIDER": "aws_secrets_manager"}
    async with app_with(env) as (app, client):
        cid = (await client.post("/api/companies", json={"name": "Aws"})).json()["id"]
        s = (await client.post(f"/api/companies/{cid}/secrets", json={"name": "x", "value": "v"})).json()
        async with app.state.sessions() as session:
            async with session.begin():
                await session.execute(sa.text("DELETE FROM companies WHERE id = :id"), {"id": uuid.UUID(cid)})
                assert len((await session.execute(sa.text("SELECT 1 FROM secret_deletions"))).all()) == 1
                await session.rollback()
        assert await _queue(app) == []
        assert (await client.get(f"/api/secrets/{s['id']}")).status_code == 200
