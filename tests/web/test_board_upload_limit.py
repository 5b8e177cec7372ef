"""A board upload gets the upload allowance (size and time) of the API's upload routes, not the 10 MB
limit of ordinary request bodies: an instance allowing 12 MB attachments takes an 11 MB file from the
issue page as it does from the API."""

from __future__ import annotations

import pytest

from tests.web.conftest import csrf_of


@pytest.fixture
def settings(make_settings):
    return make_settings({"PAPERCLIP_ATTACHMENT_MAX_BYTES": str(12 * 1024 * 1024)})


async def test_board_upload_over_the_plain_body_limit(client, company):
    created = await client.post(f"/api/companies/{company['id']}/issues", json={"title": "Big logs"})
    assert created.status_code == 201, created.text
    token = await csrf_of(client, "/ACM/issues/ACM-1")
    body = b"x" * (11 * 1024 * 1024)
    up = await client.post(
        "/ACM/issues/ACM-1/attachments",
        headers={"X-CSRF-Token": token, "X-Fragment": "1"},
        files={"file": ("big.log", body, "text/plain")},
    )
    assert up.status_code == 200, up.text[:300]
    listed = (await client.get(f"/api/issues/{created.json()['id']}/attachments")).json()
    assert [a["byteSize"] for a in listed] == [len(body)]
