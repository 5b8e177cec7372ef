"""Company images and logos: upload (streamed), the original's shapes, errors and activity, and serving."""

from __future__ import annotations

import re

import pytest

from tests.storage.conftest import stored_files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EVIL_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">'
    b'<script>alert(2)</script><a href="http://evil/x"><rect width="1" height="1" onclick="x()"/></a>'
    b'<foreignObject><div/></foreignObject><use xlink:href="#r"/><image href="javascript:alert(3)"/></svg>'
)


async def _upload(
    client, cid, content: bytes, ctype="image/png", name="pic.png", route="assets/images", **data
):
    return await client.post(
        f"/api/companies/{cid}/{route}", files={"file": (name, content, ctype)}, data=data
    )


async def _assets_rows(app) -> int:
    import sqlalchemy as sa

    async with app.state.sessions() as session:
        return await session.scalar(sa.text("SELECT count(*) FROM assets"))


async def test_image_upload_shape_key_layout_and_activity(api, app, client):
    cid = (await api.company("Assets Inc"))["id"]
    res = await _upload(client, cid, PNG, name="My Pic (1).PNG")
    assert res.status_code == 201, res.text
    body = res.json()
    assert re.fullmatch(
        rf"{cid}/assets/general/\d{{4}}/\d{{2}}/\d{{2}}/[0-9a-f-]{{36}}-My_Pic_1\.png", body["objectKey"]
    )
    assert body["contentPath"] == f"/api/assets/{body['assetId']}/content"
    assert body | {"assetId": None, "objectKey": None, "createdAt": None, "updatedAt": None} == {
        "assetId": None,
        "companyId": cid,
        "provider": "local_disk",
        "objectKey": None,
        "contentType": "image/png",
        "byteSize": len(PNG),
        "sha256": __import__("hashlib").sha256(PNG).hexdigest(),
        "originalFilename": "My Pic (1).PNG",
        "createdByAgentId": None,
        "createdByUserId": "local-board",
        "createdAt": None,
        "updatedAt": None,
        "contentPath": body["contentPath"],
    }
    assert stored_files(app) == [body["objectKey"]]
    activity = (await client.get(f"/api/companies/{cid}/activity")).json()[0]
    assert (activity["action"], activity["entityType"], activity["entityId"]) == (
        "asset.created",
        "asset",
        body["assetId"],
    )
    assert activity["details"] == {
        "byteSize": len(PNG),
        "contentType": "image/png",
        "originalFilename": "My Pic (1).PNG",
    }

    ns = (await _upload(client, cid, PNG, namespace="issues/drafts")).json()
    assert ns["objectKey"].startswith(f"{cid}/assets/issues/drafts/")


async def test_content_headers_etag_and_ranges(api, client):
    cid = (await api.company("Assets Inc"))["id"]
    asset = (await _upload(client, cid, PNG)).json()
    url = asset["contentPath"]
    res = await client.get(url)
    assert res.status_code == 200 and res.content == PNG
    assert res.headers["cache-control"] == "private, no-store"
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["etag"] == f'"{asset["sha256"]}"'
    assert res.headers["content-type"] == "image/png"
    assert res.headers["content-disposition"] == 'inline; filename="pic.png"'
    assert res.headers["accept-ranges"] == "bytes"
    assert "content-security-policy" not in res.headers
    part = await client.get(url, headers={"range": "bytes=2-5"})
    assert part.status_code == 206 and part.content == PNG[2:6]
    assert part.headers["content-range"] == f"bytes 2-5/{len(PNG)}"
    suffix = await client.get(url, headers={"range": "bytes=-3"})
    assert suffix.status_code == 206 and suffix.content == PNG[-3:]
    for bad in ("bytes=0-1,3-4", "bytes=500-", "items=0-1", "bytes=-"):
        res = await client.get(url, headers={"range": bad})
        assert res.status_code == 416, bad
        assert res.headers["content-range"] == f"bytes */{len(PNG)}"
    assert (await client.get(url, headers={"if-none-match": f'"{asset["sha256"]}"'})).status_code == 304
    download = await client.get(url + "?download=1")
    assert download.headers["content-disposition"] == 'attachment; filename="pic.png"'


async def test_text_gets_charset_only_when_it_is_utf8_and_html_is_a_sandboxed_attachment(api, client):
    cid = (await api.company("Assets Inc"))["id"]
    good = (await _upload(client, cid, "héllo".encode(), "text/plain", "a.txt")).json()
    bad = (await _upload(client, cid, b"\xff\xfe bad", "text/plain", "b.txt")).json()
    html = (await _upload(client, cid, b"<script>x</script>", "text/html", "c.html")).json()
    assert (await client.get(good["contentPath"])).headers["content-type"] == "text/plain; charset=utf-8"
    assert (await client.get(bad["contentPath"])).headers["content-type"] == "text/plain"
    res = await client.get(html["contentPath"])
    assert res.headers["content-disposition"] == 'attachment; filename="c.html"'
    assert res.headers["content-security-policy"] == "sandbox; default-src 'none'"


async def test_svg_is_sanitised_and_served_as_sandboxed_attachment(api, client):
    cid = (await api.company("Assets Inc"))["id"]
    res = await _upload(client, cid, EVIL_SVG, "image/svg+xml", "evil.svg")
    assert res.status_code == 201, res.text
    served = await client.get(res.json()["contentPath"])
    text = served.text
    for bad in ("script", "onload", "onclick", "foreignObject", "http://evil", "javascript:"):
        assert bad not in text, (bad, text)
    assert "<rect" in text and 'href="#r"' in text
    assert served.headers["content-disposition"] == 'attachment; filename="evil.svg"'
    assert served.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert res.json()["byteSize"] == len(served.content)
    for broken in (
        b"hello world",
        b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        b"<html/>",
    ):
        res = await _upload(client, cid, broken, "image/svg+xml", "x.svg")
        assert (res.status_code, res.json()["error"]) == (422, "SVG could not be sanitized")


async def test_bad_uploads_are_clear_4xx_and_leave_no_row_and_no_object(api, app, client):
    cid = (await api.company("Assets Inc"))["id"]
    url = f"/api/companies/{cid}/assets/images"
    cases = [
        (await client.post(url, json={}), 400, "Missing file field 'file'"),
        (await client.post(url, files={"other": ("a.png", PNG, "image/png")}), 400, "Unexpected file field"),
        (
            await client.post(
                url, files=[("file", ("a.png", PNG, "image/png")), ("file", ("b.png", PNG, "image/png"))]
            ),
            400,
            "Too many files",
        ),
        (await client.post(url, data={"file": "not a file"}), 400, "Missing file field 'file'"),
        (await _upload(client, cid, b""), 422, "Image is empty"),
        (
            await _upload(client, cid, b"MZ", "application/x-msdownload", "x.exe"),
            422,
            "Unsupported file type: application/x-msdownload",
        ),
        (await _upload(client, cid, PNG, namespace="../../etc"), 400, None),
        (
            await client.post(
                url, content=b"--xx\r\nbroken", headers={"content-type": "multipart/form-data; boundary=xx"}
            ),
            400,
            None,
        ),
    ]
    for res, status, message in cases:
        assert res.status_code == status, res.text
        if message:
            assert res.json()["error"] == message
    assert stored_files(app) == []
    assert await _assets_rows(app) == 0


@pytest.mark.parametrize("chunked", [False, True])
async def test_oversized_upload_is_stopped_while_streaming(api, make_settings, database_url, chunked):
    import httpx

    from paperclip.server.runtime import build_app

    app = build_app(
        make_settings({"PAPERCLIP_ATTACHMENT_MAX_BYTES": "100000"}), database_url, 3100, role="api"
    )
    sent = []
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost:3100"
        ) as client:
            cid = (await api.company("Assets Inc"))["id"]
            boundary = "b0undary"
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
                "Content-Type: image/png\r\n\r\n"
            ).encode()

            async def body():
                yield head
                for _ in range(100):  # 100 x 64 KiB = 6.4 MB offered; the limit is 100 kB
                    sent.append(1)
                    yield b"\x00" * 65536
                yield f"\r\n--{boundary}--\r\n".encode()

            headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
            if chunked:
                res = await client.post(
                    f"/api/companies/{cid}/assets/images", content=body(), headers=headers
                )
            else:
                payload = b"".join([head, b"\x00" * 200_000, f"\r\n--{boundary}--\r\n".encode()])
                res = await client.post(
                    f"/api/companies/{cid}/assets/images", content=payload, headers=headers
                )
            assert res.status_code == 413
            assert res.json()["error"] == "File is larger than the 97.7 KB limit"
            if chunked:
                assert len(sent) < 10  # stopped at the limit, not after reading the whole body
            assert stored_files(app) == []
            assert await _assets_rows(app) == 0


async def test_allowed_types_come_from_the_variable(api, make_settings, database_url):
    import httpx

    from paperclip.server.runtime import build_app

    env = {
        "PAPERCLIP_ALLOWED_ATTACHMENT_TYPES": "application/zip, application/vnd.openxmlformats-officedocument.*"
    }
    app = build_app(make_settings(env), database_url, 3100, role="api")
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost:3100"
        ) as client:
            cid = (await api.company("Assets Inc"))["id"]
            assert (await _upload(client, cid, b"PK", "application/zip", "a.zip")).status_code == 201
            docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            assert (await _upload(client, cid, b"PK", docx, "a.docx")).status_code == 201
            refused = await _upload(client, cid, PNG)
            assert (refused.status_code, refused.json()["error"]) == (422, "Unsupported file type: image/png")


async def test_logo_upload_patch_and_branding(api, client):
    cid = (await api.company("Assets Inc"))["id"]
    refused = await _upload(client, cid, b"hi", "text/plain", "a.txt", route="logo")
    assert (refused.status_code, refused.json()["error"]) == (422, "Unsupported image type: text/plain")
    empty = await _upload(client, cid, b"", route="logo")
    assert (empty.status_code, empty.json()["error"]) == (422, "Image is empty")
    logo = await _upload(client, cid, PNG, route="logo")
    assert logo.status_code == 201
    assert logo.json()["objectKey"].startswith(f"{cid}/assets/companies/")
    activity = (await client.get(f"/api/companies/{cid}/activity")).json()[0]
    assert activity["details"]["namespace"] == "assets/companies"

    patched = await client.patch(f"/api/companies/{cid}", json={"logoAssetId": logo.json()["assetId"]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["logoAssetId"] == logo.json()["assetId"]
    assert patched.json()["logoUrl"] == logo.json()["contentPath"]
    activity = (await client.get(f"/api/companies/{cid}/activity")).json()[0]
    assert (activity["action"], activity["details"]) == (
        "company.updated",
        {"logoAssetId": logo.json()["assetId"]},
    )
    unknown = await client.patch(
        f"/api/companies/{cid}", json={"logoAssetId": "00000000-0000-0000-0000-000000000000"}
    )
    assert (unknown.status_code, unknown.json()["error"]) == (404, "Logo asset not found")
    other = (await api.company("Assets Inc"))["id"]
    foreign = await client.patch(f"/api/companies/{other}", json={"logoAssetId": logo.json()["assetId"]})
    assert foreign.status_code == 404

    branded = await client.patch(
        f"/api/companies/{cid}/branding", json={"logoAssetId": None, "name": "Rebranded"}
    )
    assert branded.status_code == 200
    assert (branded.json()["logoAssetId"], branded.json()["logoUrl"], branded.json()["name"]) == (
        None,
        None,
        "Rebranded",
    )
    activity = (await client.get(f"/api/companies/{cid}/activity")).json()[0]
    assert (activity["action"], activity["details"]) == (
        "company.branding_updated",
        {"logoAssetId": None, "name": "Rebranded"},
    )
    nothing = await client.patch(f"/api/companies/{cid}/branding", json={"status": "paused"})
    assert nothing.status_code == 400
