"""The same API against S3 (the moto server on 127.0.0.1): objects land under the prefix, stream back,
and go away with their attachment, issue and company."""

from __future__ import annotations

from tests.storage.conftest import MotoServer


async def test_uploads_downloads_and_deletes_through_s3(s3_client, moto_server: MotoServer, s3_bucket: str):
    client = s3_client
    cid = (await client.post("/api/companies", json={"name": "Cloud Co"})).json()["id"]
    issue = (await client.post(f"/api/companies/{cid}/issues", json={"title": "In the bucket"})).json()
    big = bytes(range(256)) * 37_000  # 9.5 MB: a multipart upload of two 8 MiB parts
    image = await client.post(
        f"/api/companies/{cid}/assets/images", files={"file": ("a.png", b"png-bytes", "image/png")}
    )
    att = await client.post(
        f"/api/companies/{cid}/issues/{issue['id']}/attachments",
        files={"file": ("big.pdf", big, "application/pdf")},
    )
    assert image.status_code == 201 and att.status_code == 201, att.text
    assert image.json()["provider"] == "s3" and att.json()["provider"] == "s3"
    assert sorted(moto_server.keys(s3_bucket)) == sorted(
        [f"pc/{image.json()['objectKey']}", f"pc/{att.json()['objectKey']}"]
    )
    assert att.json()["objectKey"].startswith(f"{cid}/issues/{issue['id']}/")

    got = await client.get(att.json()["contentPath"])
    assert got.status_code == 200 and got.content == big
    assert got.headers["content-length"] == str(len(big))
    ranged = await client.get(att.json()["contentPath"], headers={"range": "bytes=1000-1009"})
    assert (ranged.status_code, ranged.content) == (206, big[1000:1010])

    refused = await client.post(
        f"/api/companies/{cid}/assets/images", files={"file": ("x.exe", b"MZ", "application/x-exe")}
    )
    assert refused.status_code == 422
    assert len(moto_server.keys(s3_bucket)) == 2

    assert (await client.delete(f"/api/attachments/{att.json()['id']}")).status_code == 200
    assert moto_server.keys(s3_bucket) == [f"pc/{image.json()['objectKey']}"]
    again = await client.post(
        f"/api/companies/{cid}/issues/{issue['id']}/attachments",
        files={"file": ("n.txt", b"note", "text/plain")},
    )
    assert (await client.delete(f"/api/issues/{issue['id']}")).status_code == 200
    assert f"pc/{again.json()['objectKey']}" not in moto_server.keys(s3_bucket)
    assert (await client.delete(f"/api/companies/{cid}")).status_code == 200
    assert moto_server.keys(s3_bucket) == []


async def test_unreachable_bucket_is_a_503_naming_the_setting_and_leaves_no_row(
    make_settings, database_url, moto_server
):
    import httpx

    from paperclip.server.runtime import build_app

    env = {
        "PAPERCLIP_STORAGE_PROVIDER": "s3",
        "PAPERCLIP_STORAGE_S3_BUCKET": "does-not-exist",
        "PAPERCLIP_STORAGE_S3_ENDPOINT": moto_server.endpoint,
        "PAPERCLIP_STORAGE_S3_FORCE_PATH_STYLE": "true",
    }
    app = build_app(make_settings(env), database_url, 3100, role="api")
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost:3100"
        ) as client:
            cid = (await client.post("/api/companies", json={"name": "No Bucket"})).json()["id"]
            res = await client.post(
                f"/api/companies/{cid}/assets/images", files={"file": ("a.png", b"png", "image/png")}
            )
            assert res.status_code == 503
            assert "PAPERCLIP_STORAGE_S3_BUCKET" in res.json()["error"]
            async with app.state.sessions() as session:
                import sqlalchemy as sa

                assert await session.scalar(sa.text("SELECT count(*) FROM assets")) == 0
