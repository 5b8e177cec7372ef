"""Issue attachments: upload, list, download, delete; access; and objects removed with their issue or company."""

from __future__ import annotations

import sqlalchemy as sa

from tests.storage.conftest import stored_files


async def _setup(api):
    cid = (await api.company("Attach Co"))["id"]
    return cid, await api.issue(cid, title="With files")


async def _attach(
    client, cid, issue_ref, content=b"hello world", name="notes.txt", ctype="text/plain", **data
):
    return await client.post(
        f"/api/companies/{cid}/issues/{issue_ref}/attachments",
        files={"file": (name, content, ctype)},
        data=data,
    )


async def _queued(app) -> int:
    async with app.state.sessions() as session:
        return await session.scalar(sa.text("SELECT count(*) FROM storage_deletions"))


async def test_upload_list_download_delete_with_activity(api, app, client):
    cid, issue = await _setup(api)
    comment = (await client.post(f"/api/issues/{issue['id']}/comments", json={"body": "see file"})).json()
    res = await _attach(client, cid, issue["identifier"], issueCommentId=comment["id"])
    assert res.status_code == 201, res.text
    att = res.json()
    assert att["objectKey"].startswith(f"{cid}/issues/{issue['id']}/")
    assert (att["issueId"], att["issueCommentId"], att["originatingRunId"]) == (
        issue["id"],
        comment["id"],
        None,
    )
    assert att["contentPath"] == att["openPath"] == f"/api/attachments/{att['id']}/content"
    assert att["downloadPath"] == att["contentPath"] + "?download=1"
    assert {"assetId", "provider", "sha256", "byteSize", "originalFilename", "createdByUserId"} <= att.keys()

    listed = (await client.get(f"/api/issues/{issue['id']}/attachments")).json()
    assert listed == [att]
    content = await client.get(att["contentPath"])
    assert content.content == b"hello world"
    assert content.headers["content-disposition"] == 'inline; filename="notes.txt"'
    assert content.headers["cache-control"] == "private, no-store"
    download = await client.get(att["downloadPath"])
    assert download.headers["content-disposition"] == 'attachment; filename="notes.txt"'
    ranged = await client.get(att["contentPath"], headers={"range": "bytes=0-3"})
    assert (ranged.status_code, ranged.content) == (206, b"hell")
    activity = (await client.get(f"/api/companies/{cid}/activity")).json()[0]
    assert activity["action"] == "issue.attachment_added" and activity["entityId"] == issue["id"]
    assert activity["details"] == {
        "byteSize": 11,
        "contentType": "text/plain",
        "attachmentId": att["id"],
        "originalFilename": "notes.txt",
    }

    assert stored_files(app) == [att["objectKey"]]
    deleted = await client.delete(f"/api/attachments/{att['id']}")
    assert (deleted.status_code, deleted.json()) == (200, {"ok": True})
    assert stored_files(app) == []
    assert await _queued(app) == 0
    activity = (await client.get(f"/api/companies/{cid}/activity")).json()[0]
    assert (activity["action"], activity["details"]) == (
        "issue.attachment_removed",
        {"attachmentId": att["id"]},
    )
    for res in (await client.delete(f"/api/attachments/{att['id']}"), await client.get(att["contentPath"])):
        assert (res.status_code, res.json()["error"]) == (404, "Attachment not found")
    assert (await client.get(f"/api/issues/{issue['id']}/attachments")).json() == []


async def test_bad_attachment_requests(api, app, client):
    cid, issue = await _setup(api)
    other_cid, other_issue = await _setup(api)
    cases = [
        (await _attach(client, cid, "00000000-0000-0000-0000-000000000000"), 404, "Issue not found"),
        (await _attach(client, cid, other_issue["id"]), 404, "Issue not found"),
        # the comment id arrives after the file: the stored object is removed again
        (
            await _attach(client, cid, issue["id"], issueCommentId="00000000-0000-0000-0000-000000000000"),
            404,
            "Issue comment not found",
        ),
        (await _attach(client, cid, issue["id"], b""), 422, "Attachment is empty"),
        (
            await _attach(client, cid, issue["id"], b"x", "a.bin", "application/octet-stream"),
            422,
            "Unsupported file type: application/octet-stream",
        ),
        (
            await client.get("/api/issues/00000000-0000-0000-0000-000000000000/attachments"),
            404,
            "Issue not found",
        ),
        (await client.get("/api/attachments/nope/content"), 404, "Attachment not found"),
        (
            await client.get("/api/assets/00000000-0000-0000-0000-000000000000/content"),
            404,
            "Asset not found",
        ),
    ]
    for res, status, message in cases:
        assert (res.status_code, res.json()["error"]) == (status, message), res.text
    assert stored_files(app) == []


async def test_another_companys_agent_gets_404_for_content(api, client):
    cid, issue = await _setup(api)
    att = (await _attach(client, cid, issue["id"])).json()
    image = (
        await client.post(
            f"/api/companies/{cid}/assets/images", files={"file": ("a.png", b"png", "image/png")}
        )
    ).json()
    other_cid, _ = await _setup(api)
    outsider = {"authorization": f"Bearer {await api.agent_key((await api.agent(other_cid))['id'])}"}
    insider = {"authorization": f"Bearer {await api.agent_key((await api.agent(cid))['id'])}"}
    assert (await client.get(att["contentPath"], headers=outsider)).status_code == 404
    assert (await client.get(image["contentPath"], headers=outsider)).status_code == 404
    assert (await client.delete(f"/api/attachments/{att['id']}", headers=outsider)).status_code == 404
    res = await client.post(
        f"/api/companies/{cid}/issues/{issue['id']}/attachments",
        headers=outsider,
        files={"file": ("a.txt", b"x", "text/plain")},
    )
    assert res.status_code == 403
    assert (await client.get(att["contentPath"], headers=insider)).content == b"hello world"
    by_agent = await client.post(
        f"/api/companies/{cid}/issues/{issue['id']}/attachments",
        headers=insider,
        files={"file": ("b.txt", b"agent", "text/plain")},
    )
    assert by_agent.status_code == 201 and by_agent.json()["createdByAgentId"] is not None
    assert (await client.get(att["contentPath"], headers={"authorization": "Bearer nope"})).status_code == 401


async def test_deleting_an_issue_or_company_removes_its_objects(api, app, client):
    cid, issue = await _setup(api)
    keep = (await client.post(f"/api/companies/{cid}/issues", json={"title": "Keeps its file"})).json()
    gone = (await _attach(client, cid, issue["id"])).json()
    kept = (await _attach(client, cid, keep["id"])).json()
    assert (await client.delete(f"/api/issues/{issue['id']}")).status_code == 200
    assert stored_files(app) == [kept["objectKey"]]
    assert (await client.get(gone["contentPath"])).status_code == 404
    image = (
        await client.post(
            f"/api/companies/{cid}/assets/images", files={"file": ("a.png", b"png", "image/png")}
        )
    ).json()
    assert len(stored_files(app)) == 2 and image

    assert (await client.delete(f"/api/companies/{cid}")).status_code == 200
    assert stored_files(app) == []
    assert await _queued(app) == 0


async def test_a_failed_removal_stays_queued_and_is_retried(api, app, client):
    from paperclip.storage.cleanup import drain

    cid, issue = await _setup(api)
    att = (await _attach(client, cid, issue["id"])).json()
    root = app.state.settings.storage.local_dir
    target = root / att["objectKey"]
    target.parent.chmod(0o500)  # the directory refuses the unlink
    try:
        import os

        if os.geteuid() == 0:
            return  # root ignores directory permissions: nothing to provoke here
        assert (await client.delete(f"/api/attachments/{att['id']}")).status_code == 200
        assert target.exists()
        async with app.state.sessions() as session:
            row = (await session.execute(sa.text("SELECT attempts, last_error FROM storage_deletions"))).one()
        assert row.attempts == 1 and row.last_error
    finally:
        target.parent.chmod(0o700)
    async with app.state.sessions() as session:
        await session.execute(sa.text("UPDATE storage_deletions SET next_attempt_at = now()"))
        await session.commit()
    assert await drain(app.state.sessions, app.state.settings.storage) == 1
    assert not target.exists()


async def test_an_upload_whose_commit_fails_leaves_its_object_queued_for_removal(api, app, client):
    from paperclip.storage.cleanup import drain

    cid, issue = await _setup(api)
    async with app.state.sessions() as session:  # a real failure at COMMIT: a deferred constraint trigger
        await session.execute(
            sa.text(
                "CREATE FUNCTION refuse_asset() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$"
            )
        )
        await session.execute(
            sa.text(
                "CREATE CONSTRAINT TRIGGER refuse_asset AFTER INSERT ON assets DEFERRABLE INITIALLY DEFERRED "
                "FOR EACH ROW EXECUTE FUNCTION refuse_asset()"
            )
        )
        await session.commit()
    res = await _attach(client, cid, issue["id"])
    assert res.status_code == 500
    assert len(stored_files(app)) == 1  # stored, but its row never committed
    async with app.state.sessions() as session:
        await session.execute(sa.text("UPDATE storage_deletions SET next_attempt_at = now()"))
        await session.commit()
    assert await drain(app.state.sessions, app.state.settings.storage) == 1
    assert stored_files(app) == []
    async with app.state.sessions() as session:
        assert await session.scalar(sa.text("SELECT count(*) FROM assets")) == 0
