"""Images shown by comments and documents (assets/images, linked by their content URL) are removed
with the comment, the document or the issue — unless something else of the company still shows them."""

from __future__ import annotations

import sqlalchemy as sa

from tests.storage.conftest import stored_files


async def _image(client, cid, name="a.png"):
    r = await client.post(
        f"/api/companies/{cid}/assets/images", files={"file": (name, b"\x89PNG\r\n\x1a\n", "image/png")}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _assets(app) -> int:
    async with app.state.sessions() as session:
        return await session.scalar(sa.text("SELECT count(*) FROM assets"))


async def _setup(api):
    cid = (await api.company("Pics"))["id"]
    return cid, await api.issue(cid, title="Has pictures")


async def test_a_deleted_comment_takes_its_image_but_not_a_shared_one(api, app, client):
    cid, issue = await _setup(api)
    own, shared = await _image(client, cid, "own.png"), await _image(client, cid, "shared.png")
    c1 = (
        await client.post(
            f"/api/issues/{issue['id']}/comments",
            json={"body": f"look ![own]({own['contentPath']}) and ![s]({shared['contentPath']})"},
        )
    ).json()
    await client.post(
        f"/api/issues/{issue['id']}/comments", json={"body": f"again ![s]({shared['contentPath']})"}
    )
    assert len(stored_files(app)) == 2

    r = await client.delete(f"/api/issues/{issue['id']}/comments/{c1['id']}")
    assert r.status_code == 200, r.text
    assert stored_files(app) == [shared["objectKey"]]
    assert (await client.get(own["contentPath"])).status_code == 404
    assert (await client.get(shared["contentPath"])).status_code == 200
    assert await _assets(app) == 1


async def test_a_deleted_document_takes_the_images_of_all_its_revisions(api, app, client):
    cid, issue = await _setup(api)
    old, new, described = (
        await _image(client, cid, "old.png"),
        await _image(client, cid, "new.png"),
        await _image(client, cid, "described.png"),
    )
    await client.patch(
        f"/api/issues/{issue['id']}", json={"description": f"![d]({described['contentPath']})"}
    )
    r = await client.put(
        f"/api/issues/{issue['id']}/documents/plan",
        json={
            "title": "Plan",
            "format": "markdown",
            "body": f"![o]({old['contentPath']}) ![d]({described['contentPath']})",
        },
    )
    assert r.status_code in (200, 201), r.text
    r = await client.put(
        f"/api/issues/{issue['id']}/documents/plan",
        json={
            "title": "Plan",
            "format": "markdown",
            "body": f"![n]({new['contentPath']})",
            "baseRevisionId": r.json()["latestRevisionId"],
        },
    )
    assert r.status_code == 200, r.text

    assert (await client.delete(f"/api/issues/{issue['id']}/documents/plan")).status_code == 200
    assert stored_files(app) == [described["objectKey"]]  # still shown by the issue's description


async def test_a_deleted_issue_takes_its_comment_and_document_images(api, app, client):
    cid, issue = await _setup(api)
    other = (await client.post(f"/api/companies/{cid}/issues", json={"title": "Other"})).json()
    in_comment, in_doc, elsewhere = (
        await _image(client, cid, "c.png"),
        await _image(client, cid, "d.png"),
        await _image(client, cid, "e.png"),
    )
    await client.post(
        f"/api/issues/{issue['id']}/comments",
        json={"body": f"![c]({in_comment['contentPath']}) ![e]({elsewhere['contentPath']})"},
    )
    await client.put(
        f"/api/issues/{issue['id']}/documents/notes",
        json={"title": "Notes", "format": "markdown", "body": f"![d]({in_doc['contentPath']})"},
    )
    await client.post(
        f"/api/issues/{other['id']}/comments", json={"body": f"![e]({elsewhere['contentPath']})"}
    )
    unlinked = await _image(client, cid, "unlinked.png")  # shown nowhere yet (being written): untouched

    assert (await client.delete(f"/api/issues/{issue['id']}")).status_code == 200
    assert stored_files(app) == sorted([elsewhere["objectKey"], unlinked["objectKey"]])
    assert await _assets(app) == 2
