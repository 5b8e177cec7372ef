"""Env bindings and strict mode (reference §6.3) on agents, hires, approvals and projects."""

from __future__ import annotations

import json

import sqlalchemy as sa

from paperclip.db.engine import make_sync_engine
from paperclip.secrets.bindings import is_sensitive_key

# One name per alternative of the strict-mode pattern, in several spellings.
SENSITIVE = [
    "OPENAI_API_KEY",
    "apikey",
    "GITHUB_ACCESS_TOKEN",
    "accesstoken",
    "AUTH",
    "GH_AUTH_TOKEN",
    "AUTHTOKEN",
    "AUTHORIZATION",
    "BEARER_VALUE",
    "CLIENT_SECRET",
    "DB_PASSWD",
    "DB_PASSWORD",
    "GCP_CREDENTIALS",
    "SERVICE_JWT",
    "SSH_PRIVATE_KEY",
    "privatekey",
    "SESSION_COOKIE",
    "AZURE_CONNECTIONSTRING",
]
# The pattern's hyphen spellings cannot be env names (422 "Invalid environment variable name" first).
SENSITIVE_HYPHENATED = ["X_API-KEY", "ACCESS-TOKEN", "PRIVATE-KEY"]
# Near misses: look secret-ish to a human but are not matched (value masking still covers them at run time).
NOT_SENSITIVE = [
    "FOO",
    "API_URL",
    "ANTHROPIC_KEY",
    "GITHUB_PAT",
    "DB_PASS",
    "PASSPHRASE_HINT",
    "TOKEN",
    "ACCESS_LEVEL",
    "PRIVATE_MODE",
    "CONNECTION_STRING",
    "KEYBOARD",
    "API__KEY",
    "JW_T",
]


def test_the_pattern_matches_every_alternative_and_no_near_miss():
    assert all(is_sensitive_key(k) for k in SENSITIVE + SENSITIVE_HYPHENATED)
    assert not any(is_sensitive_key(k) for k in NOT_SENSITIVE)


def _agent(env, **extra):
    return {
        "name": "Env Agent",
        "adapterType": "process",
        "adapterConfig": {"command": "true", "env": env},
        **extra,
    }


async def test_strict_mode_refuses_each_sensitive_plain_value(strict_client):
    cid = (await strict_client.post("/api/companies", json={"name": "Strict"})).json()["id"]
    for key in SENSITIVE:
        for binding in ("sk-x", {"type": "plain", "value": "sk-x"}):
            r = await strict_client.post(
                f"/api/companies/{cid}/agents", json=_agent({"FOO": "ok", key: binding})
            )
            assert r.status_code == 422, (key, r.text)
            assert (
                r.json()["error"] == f"Strict secret mode requires secret references for sensitive key: {key}"
            )
    for key in SENSITIVE_HYPHENATED:
        r = await strict_client.post(f"/api/companies/{cid}/agents", json=_agent({key: "sk-x"}))
        assert (r.status_code, r.json()["error"]) == (422, f"Invalid environment variable name: {key}")


async def test_strict_mode_allows_refs_empty_values_and_other_names(strict_client):
    cid = (await strict_client.post("/api/companies", json={"name": "Strict"})).json()["id"]
    secret = (
        await strict_client.post(f"/api/companies/{cid}/secrets", json={"name": "openai", "value": "sk-1"})
    ).json()
    env = {
        "OPENAI_API_KEY": {"type": "secret_ref", "secretId": secret["id"], "version": "latest"},
        "DB_PASSWORD": "",
        "FOO": "bar",
        **{k: "plain-value" for k in NOT_SENSITIVE},
    }
    r = await strict_client.post(f"/api/companies/{cid}/agents", json=_agent(env))
    assert r.status_code == 201, r.text
    shown = r.json()["adapterConfig"]["env"]
    assert shown["OPENAI_API_KEY"] == {"type": "secret_ref", "secretId": secret["id"], "version": "latest"}
    assert shown["FOO"] == {"type": "plain", "value": "***REDACTED***"}
    # the same refusal on update, on hires, on hire approvals and on projects
    agent_id = r.json()["id"]
    r = await strict_client.patch(
        f"/api/agents/{agent_id}", json={"adapterConfig": {"env": {"GH_TOKEN_SECRET": "x"}}}
    )
    assert r.status_code == 422 and "GH_TOKEN_SECRET" in r.json()["error"]
    r = await strict_client.post(f"/api/companies/{cid}/agent-hires", json=_agent({"OPENAI_API_KEY": "sk-x"}))
    assert r.status_code == 422
    r = await strict_client.post(
        f"/api/companies/{cid}/approvals",
        json={
            "type": "hire_agent",
            "payload": {"name": "H", "adapterConfig": {"env": {"OPENAI_API_KEY": "sk-x"}}},
        },
    )
    assert r.status_code == 422
    r = await strict_client.post(
        f"/api/companies/{cid}/projects", json={"name": "P", "env": {"API_KEY": "sk-x"}}
    )
    assert r.status_code == 422 and r.json()["error"].endswith("sensitive key: API_KEY")
    names = [a["name"] for a in (await strict_client.get(f"/api/companies/{cid}/agents")).json()]
    assert names == ["Env Agent"]  # nothing half-written


async def test_non_strict_accepts_plain_values(client):
    cid = (await client.post("/api/companies", json={"name": "Loose"})).json()["id"]
    r = await client.post(f"/api/companies/{cid}/agents", json=_agent({"OPENAI_API_KEY": "sk-x"}))
    assert r.status_code == 201


async def test_each_refusal_of_the_reference_with_its_message(api, client):
    cid = (await api.company())["id"]
    other = (await api.company("Other"))["id"]
    theirs = await api.secret(other, "theirs", "their-value")
    ours = await api.secret(cid, "ours", "our-value")
    cases = [
        ({"1BAD": "x"}, 422, "Invalid environment variable name: 1BAD"),
        ({"BAD-NAME": "x"}, 422, "Invalid environment variable name: BAD-NAME"),
        ({"K": "***REDACTED***"}, 422, "Refusing to persist redacted placeholder for key: K"),
        (
            {"K": {"type": "plain", "value": "***REDACTED***"}},
            422,
            "Refusing to persist redacted placeholder for key: K",
        ),
        ({"K": {"type": "secret_ref", "secretId": theirs["id"]}}, 422, "Secret must belong to same company"),
        (
            {"K": {"type": "secret_ref", "secretId": "00000000-0000-0000-0000-000000000000"}},
            404,
            "Secret not found",
        ),
        (
            {"K": {"type": "secret_ref", "secretId": ours["id"], "version": 7}},
            422,
            "Secret version 7 does not exist for key: K",
        ),
        ({"K": 5}, 400, "Validation error"),
        ({"K": None}, 400, "Validation error"),
        ({"K": {"type": "weird"}}, 400, "Validation error"),
        ({"K": {"type": "plain"}}, 400, "Validation error"),
        ({"K": {"type": "secret_ref", "secretId": "not-a-uuid"}}, 400, "Validation error"),
        ({"K": {"type": "secret_ref", "secretId": ours["id"], "version": 0}}, 400, "Validation error"),
        ({"K": {"type": "secret_ref", "secretId": ours["id"], "version": "2"}}, 400, "Validation error"),
        ([], 400, "Validation error"),
    ]
    for env, status, message in cases:
        r = await client.post(f"/api/companies/{cid}/agents", json=_agent(env))
        assert (r.status_code, r.json()["error"]) == (status, message), env
        r = await client.post(f"/api/companies/{cid}/projects", json={"name": "P", "env": env})
        assert (r.status_code, r.json()["error"]) == (status, message), ("project", env)
    assert (await client.get(f"/api/companies/{cid}/agents")).json() == []
    assert (await client.get(f"/api/companies/{cid}/projects")).json() == []


async def test_secret_refs_are_stored_with_a_version_and_a_read_back_config_keeps_them(api, client):
    cid = (await api.company())["id"]
    ours = await api.secret(cid, "ours", "our-value")
    r = await client.post(
        f"/api/companies/{cid}/agents",
        json=_agent({"A": {"type": "secret_ref", "secretId": ours["id"]}, "B": "plain-b"}),
    )
    assert r.status_code == 201, r.text
    agent = r.json()
    assert agent["adapterConfig"]["env"]["A"] == {
        "type": "secret_ref",
        "secretId": ours["id"],
        "version": "latest",
    }
    # sending back what was read (placeholders included) keeps the stored values
    r = await client.patch(f"/api/agents/{agent['id']}", json={"adapterConfig": agent["adapterConfig"]})
    assert r.status_code == 200, r.text
    usage = (await client.get(f"/api/secrets/{ours['id']}/usage")).json()
    assert usage == {
        "secretId": ours["id"],
        "bindings": [
            {
                "targetType": "agent",
                "targetId": agent["id"],
                "targetName": "Env Agent",
                "envKey": "A",
                "version": "latest",
            }
        ],
    }
    listed = (await client.get(f"/api/companies/{cid}/secrets")).json()
    assert listed[0]["referenceCount"] == 1


async def test_hire_approvals_store_no_secret_in_clear(api, client, database_url):
    cid = (await api.company())["id"]
    await client.patch(f"/api/companies/{cid}", json={"requireBoardApprovalForNewAgents": True})
    ours = await api.secret(cid, "ours", "our-value")
    body = _agent(
        {"DB_PASS": "hunter2-db-pass", "TOKEN_REF": {"type": "secret_ref", "secretId": ours["id"]}},
        runtimeConfig={"apiKey": "sk-runtime-inline", "heartbeat": {"enabled": False}},
    )
    body["adapterConfig"]["apiKey"] = "sk-config-inline"
    r = await client.post(f"/api/companies/{cid}/agent-hires", json=body)
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/companies/{cid}/approvals",
        json={
            "type": "hire_agent",
            "payload": {
                "name": "Direct",
                "adapterConfig": {"env": {"GITHUB_PAT": "ghp_directvalue"}},
                "runtimeConfig": {"apiKey": "sk-rt-2"},
            },
        },
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/companies/{cid}/approvals",
        json={"type": "hire_agent", "payload": {"name": "Bad", "adapterConfig": {"env": {"1BAD": "x"}}}},
    )
    assert r.status_code == 422 and r.json()["error"] == "Invalid environment variable name: 1BAD"
    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as conn:
            payloads = [
                json.dumps(p) for p in conn.execute(sa.text("SELECT payload FROM approvals")).scalars()
            ]
            activity = [
                json.dumps(d) for d in conn.execute(sa.text("SELECT details FROM activity_log")).scalars()
            ]
    finally:
        engine.dispose()
    assert len(payloads) == 2
    for text in payloads + activity + [(await client.get(f"/api/companies/{cid}/approvals")).text]:
        for value in (
            "hunter2-db-pass",
            "sk-runtime-inline",
            "sk-config-inline",
            "ghp_directvalue",
            "sk-rt-2",
        ):
            assert value not in text
    assert any(ours["id"] in p for p in payloads)  # the reference itself is kept
