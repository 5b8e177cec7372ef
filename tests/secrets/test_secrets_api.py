"""Company secrets over the API: metadata only, versions on rotation, activity without values."""

from __future__ import annotations

import json
import os
import stat

import sqlalchemy as sa

from paperclip.db.engine import make_sync_engine

VALUE = "sk-live-0123456789abcdefXYZ"


def _rows(database_url: str, query: str, **params):
    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(query), params)]
    finally:
        engine.dispose()


async def test_create_list_get_rotate_versions_delete_never_show_the_value(
    api, client, database_url, settings
):
    cid = (await api.company())["id"]
    created = await api.secret(cid, "openai", VALUE, description="OpenAI key")
    assert created["name"] == "openai" and created["provider"] == "local_encrypted"
    assert (
        created["latestVersion"] == 1
        and created["companyId"] == cid
        and created["description"] == "OpenAI key"
    )
    listed = await client.get(f"/api/companies/{cid}/secrets")
    assert [s["id"] for s in listed.json()] == [created["id"]]
    got = await client.get(f"/api/secrets/{created['id']}")
    assert got.status_code == 200 and got.json()["name"] == "openai"

    rotated = await client.post(f"/api/secrets/{created['id']}/rotate", json={"value": VALUE + "-v2"})
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["latestVersion"] == 2
    versions = (await client.get(f"/api/secrets/{created['id']}/versions")).json()
    assert [v["version"] for v in versions] == [2, 1]
    assert {v["scheme"] for v in versions} == {"local_encrypted_v1"}

    patched = await client.patch(
        f"/api/secrets/{created['id']}", json={"name": "openai-prod", "description": None}
    )
    assert (
        patched.status_code == 200
        and patched.json()["name"] == "openai-prod"
        and patched.json()["description"] is None
    )

    # nothing the API, the activity log or the database's tables hold shows the value
    everything = [
        listed.text,
        got.text,
        rotated.text,
        json.dumps(versions),
        patched.text,
        (await client.get(f"/api/companies/{cid}/activity")).text,
    ]
    stored = _rows(database_url, "SELECT material::text AS m FROM company_secret_versions")
    assert len(stored) == 2
    for row in stored:
        material = json.loads(row["m"])
        assert (
            set(material) == {"scheme", "iv", "tag", "ciphertext"}
            and material["scheme"] == "local_encrypted_v1"
        )
        everything.append(row["m"])
    everything += [json.dumps(r["details"]) for r in _rows(database_url, "SELECT details FROM activity_log")]
    assert not any(VALUE in text for text in everything)
    actions = [
        r["action"]
        for r in _rows(
            database_url, "SELECT action FROM activity_log WHERE entity_type = 'secret' ORDER BY created_at"
        )
    ]
    assert actions == ["secret.created", "secret.rotated", "secret.updated"]

    deleted = await client.delete(f"/api/secrets/{created['id']}")
    assert deleted.status_code == 200
    assert (await client.get(f"/api/secrets/{created['id']}")).status_code == 404
    assert (await client.get(f"/api/companies/{cid}/secrets")).json() == []
    assert _rows(database_url, "SELECT 1 FROM company_secret_versions") == []
    assert "secret.deleted" in [r["action"] for r in _rows(database_url, "SELECT action FROM activity_log")]
    # the key file was created on first use: base64 of 32 bytes, mode 0600
    key_file = settings.secrets.master_key_file
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


async def test_bad_input_is_a_clear_4xx(api, client):
    cid = (await api.company())["id"]
    await api.secret(cid, "dup", "value-1")
    assert (
        await client.post(f"/api/companies/{cid}/secrets", json={"name": "dup", "value": "x"})
    ).status_code == 409
    r = await client.post(f"/api/companies/{cid}/secrets", json={"name": "novalue"})
    assert r.status_code == 400 and r.json()["details"][0]["message"] == "Managed secrets require value"
    assert (
        await client.post(f"/api/companies/{cid}/secrets", json={"name": "", "value": "x"})
    ).status_code == 400
    assert (
        await client.post(f"/api/companies/{cid}/secrets", json={"name": "v", "value": ""})
    ).status_code == 400
    r = await client.post(
        f"/api/companies/{cid}/secrets", json={"name": "g", "value": "x", "provider": "vault"}
    )
    assert r.status_code == 422 and "vault" in r.json()["error"]
    assert (await client.get("/api/secrets/not-a-uuid")).status_code == 404
    assert (
        await client.post("/api/secrets/00000000-0000-0000-0000-000000000000/rotate", json={"value": "x"})
    ).status_code == 404


async def test_agents_cannot_manage_or_list_secrets(api, client):
    cid = (await api.company())["id"]
    secret = await api.secret(cid, "token", "value-123")
    headers = await api.agent_auth((await api.agent(cid, "Keyholder"))["id"])
    assert (await client.get(f"/api/companies/{cid}/secrets", headers=headers)).status_code == 403
    assert (
        await client.post(f"/api/companies/{cid}/secrets", json={"name": "a", "value": "b"}, headers=headers)
    ).status_code == 403
    assert (
        await client.post(f"/api/secrets/{secret['id']}/rotate", json={"value": "b"}, headers=headers)
    ).status_code == 403
    assert (await client.delete(f"/api/secrets/{secret['id']}", headers=headers)).status_code == 403


async def test_secret_providers_are_listed(api, client):
    cid = (await api.company())["id"]
    r = await client.get(f"/api/companies/{cid}/secret-providers")
    assert r.status_code == 200
    by_id = {p["id"]: p for p in r.json()}
    assert by_id["local_encrypted"]["default"] and by_id["local_encrypted"]["available"]
    assert by_id["aws_secrets_manager"]["available"] and not by_id["vault"]["available"]
