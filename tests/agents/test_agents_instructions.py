"""Instructions bundles through HTTP: the original's shapes, messages and statuses, and the paths a
hostile client tries (climbing out, absolute, symbolic links, oversized, wrong types)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paperclip.agents.instructions import PLACEHOLDER


def bundle_url(agent_id: str) -> str:
    return f"/api/agents/{agent_id}/instructions-bundle"


def root_of(settings, company_id: str, agent_id: str) -> Path:
    return settings.paths.root / "companies" / company_id / "agents" / agent_id / "instructions"


@pytest.fixture
async def agent(api):
    cid = (await api.company())["id"]
    return await api.agent(cid, "Writer", adapterType="claude_local", adapterConfig={})


async def test_unconfigured_bundle_then_managed(client, agent, settings):
    aid, cid = agent["id"], agent["companyId"]
    r = await client.get(bundle_url(aid))
    assert r.status_code == 200, r.text
    body = r.json()
    managed = str(root_of(settings, cid, aid))
    assert body == {
        "agentId": aid,
        "companyId": cid,
        "mode": None,
        "rootPath": None,
        "managedRootPath": managed,
        "entryFile": "AGENTS.md",
        "resolvedEntryPath": None,
        "editable": False,
        "warnings": [],
        "legacyPromptTemplateActive": False,
        "legacyBootstrapPromptTemplateActive": False,
        "files": [],
    }
    r = await client.get(f"{bundle_url(aid)}/file", params={"path": "AGENTS.md"})
    assert (r.status_code, r.json()["error"]) == (404, "Agent instructions bundle is not configured")

    r = await client.patch(bundle_url(aid), json={"mode": "managed", "unknownKey": 1})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mode"] == "managed" and body["rootPath"] == managed and body["editable"] is True
    assert body["resolvedEntryPath"] == managed + "/AGENTS.md"
    assert body["files"] == [
        {
            "path": "AGENTS.md",
            "size": len(PLACEHOLDER),
            "language": "markdown",
            "markdown": True,
            "isEntryFile": True,
            "editable": True,
            "deprecated": False,
            "virtual": False,
        }
    ]
    config = (await client.get(f"/api/agents/{aid}")).json()["adapterConfig"]
    assert config["instructionsBundleMode"] == "managed"
    assert config["instructionsFilePath"] == managed + "/AGENTS.md"
    assert config["instructionsRootPath"] == managed and config["instructionsEntryFile"] == "AGENTS.md"
    revisions = (await client.get(f"/api/agents/{aid}/config-revisions")).json()
    assert revisions[0]["source"] == "instructions_bundle_patch"
    activity = (await client.get(f"/api/companies/{cid}/activity")).json()
    assert activity[0]["action"] == "agent.instructions_bundle_updated"
    assert activity[0]["details"] == {
        "mode": "managed",
        "rootPath": managed,
        "entryFile": "AGENTS.md",
        "clearLegacyPromptTemplate": False,
    }


async def test_put_get_delete_files(client, agent, settings):
    aid, cid = agent["id"], agent["companyId"]
    root = root_of(settings, cid, aid)
    r = await client.put(f"{bundle_url(aid)}/file", json={"path": "docs//TOOLS.md", "content": "# tools\n"})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "path": "docs/TOOLS.md",
        "size": 8,
        "language": "markdown",
        "markdown": True,
        "isEntryFile": False,
        "editable": True,
        "deprecated": False,
        "virtual": False,
        "content": "# tools\n",
    }
    # the first file made the bundle a managed one, with its entry file
    assert (root / "docs" / "TOOLS.md").read_text() == "# tools\n"
    assert (root / "AGENTS.md").read_text() == PLACEHOLDER
    for raw, norm in [
        ("a/../b.py", "b.py"),
        ("./c.json", "c.json"),
        ("d\\e.txt", "d/e.txt"),
        ("/abs.md", "abs.md"),
    ]:
        r = await client.put(f"{bundle_url(aid)}/file", json={"path": raw, "content": "v"})
        assert r.status_code == 200 and r.json()["path"] == norm, r.text
    listed = (await client.get(bundle_url(aid))).json()["files"]
    assert [(f["path"], f["language"]) for f in listed] == [
        ("abs.md", "markdown"),
        ("AGENTS.md", "markdown"),
        ("b.py", "python"),
        ("c.json", "json"),
        ("d/e.txt", "text"),
        ("docs/TOOLS.md", "markdown"),
    ]
    assert not Path("/abs.md").exists()
    got = (await client.get(f"{bundle_url(aid)}/file", params={"path": "docs/TOOLS.md"})).json()
    assert got["content"] == "# tools\n"

    r = await client.delete(f"{bundle_url(aid)}/file", params={"path": "docs/TOOLS.md"})
    assert r.status_code == 200 and "docs/TOOLS.md" not in [f["path"] for f in r.json()["files"]]
    r = await client.delete(f"{bundle_url(aid)}/file", params={"path": "docs/TOOLS.md"})
    assert r.status_code == 200  # already gone: as the original, not an error
    r = await client.delete(f"{bundle_url(aid)}/file", params={"path": "AGENTS.md"})
    assert (r.status_code, r.json()["error"]) == (422, "Cannot delete the bundle entry file")
    for method in ("GET", "DELETE"):
        r = await client.request(method, f"{bundle_url(aid)}/file")
        assert (r.status_code, r.json()["error"]) == (422, "Query parameter 'path' is required")
    r = await client.get(f"{bundle_url(aid)}/file", params={"path": "nope.md"})
    assert (r.status_code, r.json()["error"]) == (404, "Instructions file not found")
    r = await client.get(f"{bundle_url(aid)}/file", params={"path": "d"})
    assert r.status_code == 404
    actions = [a["action"] for a in (await client.get(f"/api/companies/{cid}/activity")).json()]
    assert actions.count("agent.instructions_file_updated") == 5
    assert actions.count("agent.instructions_file_deleted") == 2


@pytest.mark.parametrize("bad", ["../evil.md", "docs/../../evil.md", "..", ".", "a/../.."])
async def test_paths_climbing_out_are_refused(client, agent, settings, bad):
    aid = agent["id"]
    r = await client.put(f"{bundle_url(aid)}/file", json={"path": bad, "content": "x"})
    assert (r.status_code, r.json()["error"]) == (
        422,
        "Instructions file path must stay within the bundle root",
    )
    for method in ("GET", "DELETE"):
        r = await client.request(method, f"{bundle_url(aid)}/file", params={"path": bad})
        assert r.status_code in (404, 422), r.text  # 404 while the bundle is not configured
    root = root_of(settings, agent["companyId"], aid)
    assert not root.exists()  # nothing written, not even the bundle
    assert (await client.get(f"/api/agents/{aid}")).json()["adapterConfig"] == {}


async def test_symbolic_links_are_never_followed(client, agent, settings, tmp_path):
    aid = agent["id"]
    await client.patch(bundle_url(aid), json={"mode": "managed"})
    root = root_of(settings, agent["companyId"], aid)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.md"
    secret.write_text("top secret")
    os.symlink(secret, root / "link.md")
    os.symlink(outside, root / "linkdir")
    listed = [f["path"] for f in (await client.get(bundle_url(aid))).json()["files"]]
    assert listed == ["AGENTS.md"]  # links are not listed
    for path in ("link.md", "linkdir/secret.md"):
        r = await client.get(f"{bundle_url(aid)}/file", params={"path": path})
        assert r.status_code in (404, 422) and "top secret" not in r.text, r.text
    r = await client.put(f"{bundle_url(aid)}/file", json={"path": "linkdir/new.md", "content": "pwn"})
    assert r.status_code == 422, r.text
    assert not (outside / "new.md").exists()
    # writing to a name that is a link is refused; its target is untouched
    r = await client.put(f"{bundle_url(aid)}/file", json={"path": "link.md", "content": "mine"})
    assert r.status_code == 422, r.text
    assert secret.read_text() == "top secret"
    r = await client.delete(f"{bundle_url(aid)}/file", params={"path": "link.md"})
    assert r.status_code == 200 and secret.read_text() == "top secret" and not (root / "link.md").exists()


async def test_bad_bodies_name_the_field_and_write_nothing(client, agent, settings):
    aid = agent["id"]
    url = f"{bundle_url(aid)}/file"
    cases = [
        ({"path": 1, "content": "x"}, "path"),
        ({"path": "a.md", "content": 2}, "content"),
        ({"path": "a.md"}, "content"),
        ({"path": "", "content": "x"}, "path"),
        ({"path": "a.md", "content": "x", "clearLegacyPromptTemplate": "yes"}, "clearLegacyPromptTemplate"),
        ({"path": "a.md", "content": "x" * (1024 * 1024 + 1)}, "content"),
        ({"path": "a" * 2000, "content": "x"}, "path"),
    ]
    for body, field in cases:
        r = await client.put(url, json=body)
        assert r.status_code == 400, (body.keys(), r.text)
        assert r.json()["error"] == "Validation error"
        assert [d["path"] for d in r.json()["details"]] == [[field]], r.text
    # multi-byte content within the character limit but over the byte limit
    r = await client.put(url, json={"path": "a.md", "content": "é" * (600 * 1024)})
    assert r.status_code == 422 and "bytes" in r.json()["error"], r.text
    r = await client.patch(bundle_url(aid), json={"mode": "other", "entryFile": 3})
    assert r.status_code == 400
    assert sorted(d["path"][0] for d in r.json()["details"]) == ["entryFile", "mode"]
    r = await client.patch(bundle_url(aid), json={"entryFile": "../x.md"})
    assert (r.status_code, r.json()["error"]) == (
        422,
        "Instructions file path must stay within the bundle root",
    )
    r = await client.patch(bundle_url(aid), json={"mode": "external", "rootPath": "relative/dir"})
    assert (r.status_code, r.json()["error"]) == (422, "rootPath must be an absolute path")
    assert not root_of(settings, agent["companyId"], aid).exists()
    assert (await client.get(f"/api/agents/{aid}")).json()["adapterConfig"] == {}
    r = await client.get(bundle_url("00000000-0000-0000-0000-000000000000"))
    assert (r.status_code, r.json()["error"]) == (404, "Agent not found")


async def test_legacy_prompt_template_is_a_virtual_file(client, api, settings):
    cid = (await api.company())["id"]
    agent = await api.agent(
        cid, "Old", adapterConfig={"command": "true", "promptTemplate": "Legacy {{agent.name}}"}
    )
    aid = agent["id"]
    body = (await client.get(bundle_url(aid))).json()
    assert body["legacyPromptTemplateActive"] is True
    assert body["files"] == [
        {
            "path": "promptTemplate.legacy.md",
            "size": 21,
            "language": "markdown",
            "markdown": True,
            "isEntryFile": False,
            "editable": True,
            "deprecated": True,
            "virtual": True,
        }
    ]
    got = (await client.get(f"{bundle_url(aid)}/file", params={"path": "promptTemplate.legacy.md"})).json()
    assert got["content"] == "Legacy {{agent.name}}" and got["virtual"] is True
    # a first file seeds the entry file from the legacy template; clearing drops the template
    r = await client.put(
        f"{bundle_url(aid)}/file",
        json={"path": "notes.md", "content": "n", "clearLegacyPromptTemplate": True},
    )
    assert r.status_code == 200, r.text
    root = root_of(settings, cid, aid)
    assert (root / "AGENTS.md").read_text() == "Legacy {{agent.name}}"
    config = (await client.get(f"/api/agents/{aid}")).json()["adapterConfig"]
    assert "promptTemplate" not in config and config["command"] == "true"
    assert config["instructionsBundleMode"] == "managed"
    revisions = (await client.get(f"/api/agents/{aid}/config-revisions")).json()
    assert revisions[0]["source"] == "instructions_bundle_file_put"


async def test_external_root_and_entry_file(client, agent, tmp_path):
    aid = agent["id"]
    ext = tmp_path / "ext"
    (ext / "sub").mkdir(parents=True)
    (ext / "README.md").write_text("hi")
    (ext / "sub" / "s.md").write_text("s")
    (ext / ".git").mkdir()
    (ext / ".git" / "HEAD").write_text("ref")
    r = await client.patch(
        bundle_url(aid), json={"mode": "external", "rootPath": str(ext), "entryFile": "README.md"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mode"] == "external" and body["rootPath"] == str(ext.resolve())
    assert body["entryFile"] == "README.md" and body["resolvedEntryPath"] == str(ext.resolve() / "README.md")
    assert [(f["path"], f["isEntryFile"]) for f in body["files"]] == [
        ("README.md", True),
        ("sub/s.md", False),
    ]
    config = (await client.get(f"/api/agents/{aid}")).json()["adapterConfig"]
    assert config["instructionsFilePath"] == str(ext.resolve() / "README.md")


async def test_agents_are_refused(client, api, agent):
    headers = await api.agent_auth(agent["id"])
    r = await client.get(bundle_url(agent["id"]), headers=headers)
    assert r.status_code == 403
    r = await client.put(
        f"{bundle_url(agent['id'])}/file", json={"path": "a.md", "content": "x"}, headers=headers
    )
    assert r.status_code == 403
