"""An external instructions root lets the bundle routes read any directory of the server's host, so
on an authenticated instance only an instance admin may choose one; a company owner may not."""

from __future__ import annotations


async def test_only_an_instance_admin_chooses_an_external_root(live, tmp_path):
    admin, admin_user = await live.sign_up()
    await live.make_admin(admin_user["id"])
    company = (await admin.post("/api/companies", json={"name": "Ext Co"})).json()
    agent = (await admin.post(f"/api/companies/{company['id']}/agents", json={"name": "A"})).json()
    owner, owner_user = await live.sign_up()
    await live.add_member(company["id"], owner_user["id"], "owner")
    url = f"/api/agents/{agent['id']}/instructions-bundle"
    outside = tmp_path / "host-dir"
    outside.mkdir()
    (outside / "secret.md").write_text("host secret")

    r = await owner.patch(url, json={"mode": "external", "rootPath": str(outside)})
    assert r.status_code == 403, r.text
    assert (await owner.get(url)).json()["mode"] is None  # nothing changed
    r = await owner.patch(url, json={"mode": "managed"})  # the managed bundle is the owner's to use
    assert r.status_code == 200 and r.json()["mode"] == "managed"
    r = await admin.patch(url, json={"mode": "external", "rootPath": str(outside)})
    assert r.status_code == 200 and r.json()["rootPath"] == str(outside.resolve())
