"""Form-encoded bodies (the board's forms) pass the same input guard as JSON ones (issue 15): a NUL
in a field or a field name is a 400 naming it, and nothing is written; invalid UTF-8 is replaced."""

from __future__ import annotations

from tests.web.conftest import csrf_of


async def test_a_nul_in_a_form_field_is_refused_and_writes_nothing(client, company):
    token = await csrf_of(client, "/ACM/goals")
    headers = {"content-type": "application/x-www-form-urlencoded"}
    refused = await client.post(
        "/ACM/goals", headers=headers, content=f"_csrf={token}&title=Mis%00sion&level=company".encode()
    )
    assert refused.status_code == 400
    assert (
        "Form field" in refused.text
        and "title" in refused.text
        and "contains a NUL character" in refused.text
    )
    named = await client.post(
        "/ACM/goals", headers=headers, content=f"_csrf={token}&ti%00tle=x&title=Ok".encode()
    )
    assert named.status_code == 400 and "A form field name contains a NUL character" in named.text
    goals = (await client.get(f"/api/companies/{company['id']}/goals")).json()
    assert goals == []

    # Bytes that are not UTF-8 (a lone surrogate's encoding among them) are replaced, never stored raw.
    replaced = await client.post(
        "/ACM/goals", headers=headers, content=f"_csrf={token}&title=A%ED%A0%80B%FF&level=company".encode()
    )
    assert replaced.status_code in (200, 303), replaced.text
    titles = [g["title"] for g in (await client.get(f"/api/companies/{company['id']}/goals")).json()]
    assert titles == ["A\ufffd\ufffd\ufffdB\ufffd"]
