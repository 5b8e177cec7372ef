"""Attachments on the issue page: upload (multipart, CSRF in the header), the storage feature's limit
and type messages shown as an error fragment, open/download through the content route, delete; a
viewer gets no controls and a refusal."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import csrf_of


@pytest.fixture
def settings(make_settings):
    return make_settings({"PAPERCLIP_ATTACHMENT_MAX_BYTES": "4096"})


@pytest.fixture
async def issue(api, company):
    return await api.issue(company["id"], title="Ship the vacuum")


def _headers(token: str) -> dict:
    return {"X-CSRF-Token": token, "X-Fragment": "1"}


async def test_upload_list_download_delete(client, company, issue):
    page = await client.get("/ACM/issues/ACM-1")
    assert 'id="attachments"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert "Up to 4 KB" in page.text and 'accept="image/png,' in page.text
    token = await csrf_of(client, "/ACM/issues/ACM-1")

    up = await client.post(
        "/ACM/issues/ACM-1/attachments",
        headers=_headers(token),
        files={"file": ("notes.txt", b"hello attachments", "text/plain")},
    )
    assert up.status_code == 200, up.text
    assert "notes.txt" in up.text and up.headers["x-toast"] == "Attached notes.txt"
    listed = (await client.get(f"/api/issues/{issue['id']}/attachments")).json()
    assert [a["originalFilename"] for a in listed] == ["notes.txt"]
    att = listed[0]
    assert f'href="/api/attachments/{att["id"]}/content"' in up.text
    content = await client.get(f"/api/attachments/{att['id']}/content?download=1")
    assert content.content == b"hello attachments" and "attachment" in content.headers["content-disposition"]
    assert "notes.txt" in (await client.get("/ACM/issues/ACM-1")).text

    gone = await client.post(
        f"/ACM/issues/ACM-1/attachments/{att['id']}/delete", headers=_headers(token), data={"_csrf": token}
    )
    assert gone.status_code == 200 and "notes.txt" not in gone.text
    assert (await client.get(f"/api/issues/{issue['id']}/attachments")).json() == []
    actions = [a["action"] for a in (await client.get(f"/api/companies/{company['id']}/activity")).json()]
    assert "issue.attachment_added" in actions and "issue.attachment_removed" in actions


async def test_limits_and_types_are_shown_next_to_the_control(client, company, issue):
    token = await csrf_of(client, "/ACM/issues/ACM-1")
    big = await client.post(
        "/ACM/issues/ACM-1/attachments",
        headers=_headers(token),
        files={"file": ("big.txt", b"x" * 5000, "text/plain")},
    )
    assert big.status_code == 413 and 'class="form-error"' in big.text
    assert re.search(r"exceeds 4 KB|4 KB", big.text), big.text
    exe = await client.post(
        "/ACM/issues/ACM-1/attachments",
        headers=_headers(token),
        files={"file": ("tool.exe", b"MZ", "application/x-msdownload")},
    )
    assert exe.status_code == 422 and "Unsupported file type: application/x-msdownload" in exe.text
    empty = await client.post(
        "/ACM/issues/ACM-1/attachments",
        headers=_headers(token),
        files={"file": ("empty.txt", b"", "text/plain")},
    )
    assert empty.status_code in (400, 422) and 'class="form-error"' in empty.text
    forged = await client.post(
        "/ACM/issues/ACM-1/attachments",
        headers={"X-Fragment": "1"},
        files={"file": ("notes.txt", b"hi", "text/plain")},
    )
    assert forged.status_code == 403
    assert (await client.get(f"/api/issues/{issue['id']}/attachments")).json() == []


async def test_without_javascript_the_token_rides_in_the_query(client, company, issue):
    token = await csrf_of(client, "/ACM/issues/ACM-1")
    up = await client.post(
        f"/ACM/issues/ACM-1/attachments?_csrf={token}",
        files={"file": ("plan.md", b"# Plan", "text/markdown")},
    )
    assert up.status_code == 303 and up.headers["location"] == "/ACM/issues/ACM-1#attachments"


async def test_viewer_gets_no_controls_and_a_refusal(client, company, issue, monkeypatch):
    token = await csrf_of(client, "/ACM/issues/ACM-1")
    await client.post(
        "/ACM/issues/ACM-1/attachments",
        headers=_headers(token),
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    att = (await client.get(f"/api/issues/{issue['id']}/attachments")).json()[0]
    from paperclip.auth.actor import Actor
    from paperclip.web.pages import formkit

    monkeypatch.setattr(formkit, "read_only", lambda *_: True)
    monkeypatch.setattr(Actor, "is_viewer_of", lambda *_: True)
    page = await client.get("/ACM/issues/ACM-1")
    assert "notes.txt" in page.text and "Download" in page.text
    assert 'method="post"' not in page.text
    refused = await client.post(
        "/ACM/issues/ACM-1/attachments",
        headers=_headers(token),
        files={"file": ("more.txt", b"x", "text/plain")},
    )
    assert refused.status_code == 403
    refused = await client.post(
        f"/ACM/issues/ACM-1/attachments/{att['id']}/delete", headers=_headers(token), data={"_csrf": token}
    )
    assert refused.status_code == 403
    assert len((await client.get(f"/api/issues/{issue['id']}/attachments")).json()) == 1
