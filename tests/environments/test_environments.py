"""Environments through HTTP against the real PostgreSQL, at the original's shapes, statuses and
messages: the built-in Local environment (get, patch, probe, delete refused), creation (local: 409,
other drivers refused), leases derived from real runs, board-only access, activity in every company."""

from __future__ import annotations

import os
import socket
import uuid

import pytest


async def _local(client, cid: str) -> dict:
    envs = (await client.get(f"/api/companies/{cid}/environments")).json()
    assert [e["name"] for e in envs] == ["Local"]
    return envs[0]


async def _last(client, cid: str) -> dict:
    return (await client.get(f"/api/companies/{cid}/activity")).json()[0]


async def test_local_environment_reads_patches_and_cannot_be_deleted(client, api):
    one, two = await api.company("One"), await api.company("Two")
    local = await _local(client, one["id"])
    assert local["description"] == "Default execution environment for Paperclip runs on this machine."
    assert local["metadata"] == {"defaultForInstance": True, "managedByPaperclip": True}
    assert (await client.get(f"/api/environments/{local['id']}")).json() == local
    assert (await _local(client, two["id"])) == local  # instance-wide: every company lists it

    r = await client.patch(
        f"/api/environments/{local['id']}", json={"name": "Here", "description": "this box"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["description"]) == ("Here", "this box")
    assert r.json()["updatedAt"] != local["updatedAt"]
    for company in (one, two):  # the original writes the change into every company
        entry = await _last(client, company["id"])
        assert (entry["action"], entry["entityType"], entry["entityId"]) == (
            "environment.updated",
            "environment",
            local["id"],
        )
        assert entry["details"] == {
            "name": "Here",
            "changedFields": ["description", "name"],
            "descriptionChanged": True,
        }
    r = await client.patch(f"/api/environments/{local['id']}", json={"status": "archived"})
    assert r.json()["status"] == "archived"
    listed = await client.get(f"/api/companies/{one['id']}/environments", params={"status": "archived"})
    assert [e["id"] for e in listed.json()] == [local["id"]]
    listed = await client.get(f"/api/companies/{one['id']}/environments", params={"driver": "ssh"})
    assert listed.json() == []
    r = await client.patch(f"/api/environments/{local['id']}", json={"metadata": {"a": 1, "b": 2}})
    assert r.json()["metadata"] == {"a": 1, "b": 2}
    assert (await _last(client, one["id"]))["details"] == {
        "changedFields": ["metadata"],
        "metadataChanged": True,
        "metadataTopLevelKeyCount": 2,
    }

    # bad input: 400 naming the field, or the original's 422; nothing written
    for body, status, field in (
        ({"name": ""}, 400, "name"),
        ({"name": None}, 400, "name"),
        ({"status": "gone"}, 400, "status"),
        ({"foo": 1}, 400, "foo"),
    ):
        r = await client.patch(f"/api/environments/{local['id']}", json=body)
        assert r.status_code == status, (body, r.text)
        assert field in str(r.json()["details"]), (body, r.json())
    for body in ({"config": {"x": 1}}, {"envVars": {"A": "1"}}, {"driver": "local"}):
        r = await client.patch(f"/api/environments/{local['id']}", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"].startswith("Environment secret management requires a companyId context")
    assert (await client.get(f"/api/environments/{local['id']}")).json()["metadata"] == {"a": 1, "b": 2}

    radius = (await client.get(f"/api/environments/{local['id']}/delete-blast-radius")).json()
    assert radius["canDelete"] is False
    assert radius["deleteBlockedReasons"] == ["managed_local", "instance_default"]
    assert radius["staticReferences"]["isManagedLocal"] is True
    r = await client.delete(f"/api/environments/{local['id']}")
    assert r.status_code == 409
    assert r.json() == {
        "error": "Cannot delete the managed local environment.",
        "details": {"deleteBlockedReasons": ["managed_local", "instance_default"]},
    }
    assert (await client.get(f"/api/environments/{local['id']}/secret-refs")).json() == {"refs": []}

    missing = uuid.uuid4()
    for method, path in (
        ("GET", f"/api/environments/{missing}"),
        ("PATCH", f"/api/environments/{missing}"),
        ("DELETE", f"/api/environments/{missing}"),
        ("POST", f"/api/environments/{missing}/probe"),
        ("GET", f"/api/environments/{missing}/leases"),
        ("GET", "/api/environments/not-a-uuid"),
    ):
        r = await client.request(method, path, json={} if method == "PATCH" else None)
        assert (r.status_code, r.json()["error"]) == (404, "Environment not found"), (method, path)


async def test_creating_environments_answers_as_the_original_or_refuses_what_cannot_run(client, api):
    cid = (await api.company())["id"]
    url = f"/api/companies/{cid}/environments"
    r = await client.post(url, json={"name": "Second", "driver": "local"})
    assert (r.status_code, r.json()["error"]) == (
        409,
        "A local environment already exists for this instance.",
    )
    r = await client.post(url, json={"name": "Box", "driver": "ssh"})
    assert r.status_code == 422 and r.json()["error"] == "SSH environments require a host."
    assert [i["path"] for i in r.json()["details"]["issues"]] == [
        ["host"],
        ["username"],
        ["remoteWorkspacePath"],
    ]
    ssh = {"host": "127.0.0.1", "username": "me", "remoteWorkspacePath": "/w"}
    r = await client.post(url, json={"name": "Box", "driver": "ssh", "config": ssh})
    assert r.status_code == 422 and "not supported by this server" in r.json()["error"]
    for body, field in (
        ({"name": "", "driver": "local"}, "name"),
        ({"name": "x"}, "driver"),
        ({"name": "x", "driver": "docker"}, "driver"),
        ({"name": "x", "driver": "local", "foo": 1}, "foo"),
        ({"name": "x", "driver": "local", "envVars": {"A": {"type": "plain"}}}, "envVars"),
        ({"name": "x", "driver": "local", "status": "gone"}, "status"),
    ):
        r = await client.post(url, json=body)
        assert r.status_code == 400, (body, r.text)
        assert field in str(r.json()["details"]), (body, r.json())
    assert len((await client.get(url)).json()) == 1


async def test_probes_check_this_host_for_real_and_are_logged(client, api):
    cid = (await api.company())["id"]
    local = await _local(client, cid)
    r = await client.post(f"/api/environments/{local['id']}/probe")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "ok": True,
        "driver": "local",
        "summary": "Local environment is available on this Paperclip host.",
        "details": {"hostname": socket.gethostname(), "cwd": os.getcwd()},
    }
    entry = await _last(client, cid)
    assert (entry["action"], entry["entityId"]) == ("environment.probed", local["id"])
    assert entry["details"] == {"ok": True, "driver": "local", "summary": r.json()["summary"]}

    url = f"/api/companies/{cid}/environments/probe-config"
    r = await client.post(url, json={"driver": "local", "config": {"x": 1}})
    assert r.status_code == 200 and r.json()["ok"] is True
    entry = await _last(client, cid)
    assert (entry["action"], entry["entityId"]) == ("environment.probed_unsaved", "unsaved")
    assert entry["details"]["configTopLevelKeyCount"] == 1
    r = await client.post(url, json={"driver": "sandbox"})
    assert r.status_code == 200
    assert (r.json()["ok"], r.json()["summary"]) == (
        False,
        "Sandbox environments are not supported by this server.",
    )
    r = await client.post(url, json={"driver": "ssh", "config": {"host": "h"}})
    assert r.status_code == 422 and r.json()["error"] == "SSH environments require a username."
    r = await client.post(url, json={"driver": "local", "status": "active"})
    assert r.status_code == 400 and "status" in str(r.json()["details"])


async def test_a_broken_working_directory_fails_the_local_probe(client, api, tmp_path):
    cid = (await api.company())["id"]
    local = await _local(client, cid)
    here = os.getcwd()
    gone = tmp_path / "gone"
    gone.mkdir()
    os.chdir(gone)
    gone.rmdir()
    try:
        r = await client.post(f"/api/environments/{local['id']}/probe")
    finally:
        os.chdir(here)
    assert r.status_code == 200
    assert r.json()["ok"] is False
    assert r.json()["summary"] == "Local environment is not usable on this Paperclip host."
    assert "working directory" in r.json()["details"]["error"]


async def test_agents_are_refused_and_boards_stay_in_their_companies(client, api):
    mine, theirs = await api.company("Mine"), await api.company("Theirs")
    local = await _local(client, mine["id"])
    headers = await api.agent_auth((await api.agent(mine["id"], "Ann"))["id"])
    for path in (
        f"/api/companies/{mine['id']}/environments",
        f"/api/companies/{mine['id']}/environments/capabilities",
        f"/api/environments/{local['id']}",
        f"/api/environments/{local['id']}/leases",
    ):
        r = await client.get(path, headers=headers)
        assert (r.status_code, r.json()["error"]) == (403, "Board access required"), path
    for method, path, body in (
        ("PATCH", f"/api/environments/{local['id']}", {"name": "x"}),
        ("DELETE", f"/api/environments/{local['id']}", None),
        ("POST", f"/api/environments/{local['id']}/probe", None),
        ("POST", f"/api/companies/{mine['id']}/environments", {"name": "x", "driver": "local"}),
        ("POST", f"/api/companies/{mine['id']}/environments/probe-config", {"driver": "local"}),
    ):
        r = await client.request(method, path, json=body, headers=headers)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["error"] == "Instance environment management is restricted to board operators"
    r = await client.get(f"/api/companies/{theirs['id']}/environments", headers=headers)
    assert r.status_code == 403


@pytest.mark.usefixtures("app_with_runner")
async def test_runs_lease_the_local_environment(client, api, factory):
    cid = (await api.company())["id"]
    local = await _local(client, cid)
    ok = await api.agent(cid, "Ok", adapterType="process", adapterConfig={"command": "true"})
    bad = await api.agent(
        cid, "Bad", adapterType="process", adapterConfig={"command": "sh", "args": ["-c", "exit 3"]}
    )
    runs = {}
    for agent in (ok, bad):
        r = await client.post(f"/api/agents/{agent['id']}/heartbeat/invoke", json={})
        assert r.status_code == 202, r.text
        runs[agent["name"]] = (await factory.wait_run(r.json()["id"])).id
    leases = (await client.get(f"/api/environments/{local['id']}/leases")).json()
    by_run = {lease["heartbeatRunId"]: lease for lease in leases}
    good, failed = by_run[str(runs["Ok"])], by_run[str(runs["Bad"])]
    assert (good["status"], good["environmentId"], good["companyId"]) == ("released", local["id"], cid)
    assert good["releasedAt"] is not None and good["failureReason"] is None
    assert good["metadata"] == {"driver": "local", "agentId": ok["id"]}
    assert failed["status"] == "failed" and failed["failureReason"]
    released = (
        await client.get(f"/api/environments/{local['id']}/leases", params={"status": "released"})
    ).json()
    assert [lease["id"] for lease in released] == [good["id"]]
    assert (
        await client.get(f"/api/environments/{local['id']}/leases", params={"status": "bogus"})
    ).json() == []
    assert (await client.get(f"/api/environment-leases/{good['id']}")).json() == good
    r = await client.get(f"/api/environment-leases/{uuid.uuid4()}")
    assert (r.status_code, r.json()["error"]) == (404, "Environment lease not found")
