"""GET /api/companies/{id}/org.svg and org.png through HTTP against the real PostgreSQL: the board's
renderer, standalone (colours inlined), company access checked; the PNG really is a PNG of it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"


async def test_org_svg_draws_every_agent_with_inline_styles(client, api):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    ceo = await api.agent(cid, name="Ada <CEO>", role="ceo")
    await api.agent(cid, name="Bob", reportsTo=ceo["id"])
    r = await client.get(f"/api/companies/{cid}/org.svg")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(r.content)  # well-formed XML: the name's "<" is escaped
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}style") is not None  # no page stylesheet around an image
    names = [t.text for t in root.iter(f"{SVG}text") if "org-name" in (t.get("class") or "")]
    assert names == ["Ada <CEO>", "Bob"]
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert links == [f"/{company['issuePrefix']}/agents/{ceo['id']}", links[1]] and len(links) == 2


async def test_org_images_check_company_access(client, api):
    mine, theirs = await api.company("Mine"), await api.company("Theirs")
    headers = await api.agent_auth((await api.agent(mine["id"], "Ann"))["id"])
    assert (await client.get(f"/api/companies/{mine['id']}/org.svg", headers=headers)).status_code == 200
    for ext in ("svg", "png"):
        r = await client.get(f"/api/companies/{theirs['id']}/org.{ext}", headers=headers)
        assert r.status_code == 403, ext
    r = await client.get("/api/companies/00000000-0000-0000-0000-000000000000/org.svg")
    assert r.status_code == 404 and r.json()["error"] == "Company not found"


async def test_org_png_is_the_chart_rasterised(client, api):
    pytest.importorskip("cairosvg", exc_type=OSError)  # needs the system cairo library
    cid = (await api.company("Paperclip Labs"))["id"]
    await api.agent(cid, name="Ada")
    r = await client.get(f"/api/companies/{cid}/org.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(r.content[16:20], "big"), int.from_bytes(r.content[20:24], "big")
    svg = ET.fromstring((await client.get(f"/api/companies/{cid}/org.svg")).content)
    assert (width, height) == (int(svg.get("width")), int(svg.get("height")))
