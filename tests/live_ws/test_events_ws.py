"""WebSocket /api/companies/{id}/events/ws against real uvicorn with a real websocket client: the
events of the NOTIFY feed in the original's envelope, and the handshake refusals (403 `forbidden`)."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import psycopg
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus


def _ws(base: str, company_id: str, query: str = "") -> str:
    return base.replace("http://", "ws://") + f"/api/companies/{company_id}/events/ws{query}"


async def _next(ws, kind: str, timeout: float = 15) -> dict:
    async def wait():
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return message

    return await asyncio.wait_for(wait(), timeout)


async def _refused(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    try:
        async with connect(url, additional_headers=headers or {}, open_timeout=10):
            pass
    except InvalidStatus as exc:
        return exc.response.status_code, bytes(exc.response.body or b"")
    raise AssertionError("the handshake was accepted")


async def test_activity_and_run_changes_arrive_in_the_originals_envelope(live_server, database_url):
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        company = (await http.post("/api/companies", json={"name": "Live Co"})).json()
        cid = company["id"]
        agent = (
            await http.post(
                f"/api/companies/{cid}/agents",
                json={"name": "Ada", "adapterType": "process", "adapterConfig": {"command": "true"}},
            )
        ).json()
        async with connect(_ws(live_server, cid)) as ws:
            issue = (await http.post(f"/api/companies/{cid}/issues", json={"title": "Watch me"})).json()
            message = await _next(ws, "activity.logged")
            assert set(message) == {"id", "companyId", "type", "createdAt", "payload"}
            assert message["companyId"] == cid and isinstance(message["id"], int)
            payload = message["payload"]
            assert payload["action"] == "issue.created" and payload["entityId"] == issue["id"]
            assert payload["actorType"] == "user" and payload["details"]["identifier"] == issue["identifier"]

            run_id = str(uuid.uuid4())
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(
                    """INSERT INTO heartbeat_runs (id, company_id, agent_id, invocation_source, status)
                                VALUES (%s, %s, %s, 'on_demand', 'queued')""",
                    (run_id, cid, agent["id"]),
                )
                queued = await _next(ws, "heartbeat.run.queued")
                conn.execute("UPDATE heartbeat_runs SET status = 'cancelled' WHERE id = %s", (run_id,))
                status = await _next(ws, "heartbeat.run.status")
            assert queued["payload"] == {
                "runId": run_id,
                "agentId": agent["id"],
                "invocationSource": "on_demand",
                "triggerDetail": None,
                "wakeupRequestId": None,
            }
            assert status["payload"]["status"] == "cancelled" and status["id"] > queued["id"]
            assert status["payload"]["runId"] == run_id and status["payload"]["startedAt"] is None


async def test_another_companys_events_do_not_arrive(live_server):
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        mine = (await http.post("/api/companies", json={"name": "Mine"})).json()
        theirs = (await http.post("/api/companies", json={"name": "Theirs"})).json()
        async with connect(_ws(live_server, mine["id"])) as ws:
            await http.post(f"/api/companies/{theirs['id']}/issues", json={"title": "Not yours"})
            await http.post(f"/api/companies/{mine['id']}/issues", json={"title": "Yours"})
            message = await _next(ws, "activity.logged")
            assert message["payload"]["details"]["title"] == "Yours"


async def test_handshake_refusals_in_authenticated_mode(live):
    owner, user = await live.sign_up()
    await live.make_admin(user["id"])
    a = (await owner.post("/api/companies", json={"name": "A"})).json()
    b = (await owner.post("/api/companies", json={"name": "B"})).json()
    agent = (
        await owner.post(
            f"/api/companies/{a['id']}/agents",
            json={"name": "Ada", "adapterType": "process", "adapterConfig": {"command": "true"}},
        )
    ).json()
    token = (await owner.post(f"/api/agents/{agent['id']}/keys", json={"name": "ws"})).json()["token"]

    assert await _refused(_ws(live.base_url, a["id"])) == (403, b"forbidden")  # anonymous
    assert (await _refused(_ws(live.base_url, b["id"]), {"Authorization": f"Bearer {token}"}))[0] == 403
    assert (await _refused(_ws(live.base_url, b["id"], f"?token={token}")))[0] == 403
    assert (await _refused(_ws(live.base_url, a["id"]), {"Authorization": "Bearer pcp_nothing"}))[0] == 403
    assert (await _refused(_ws(live.base_url, "not-a-uuid")))[0] == 403
    cookie = "; ".join(f"{k}={v}" for k, v in owner.cookies.items())
    # the session cookie from another site's page: refused (cross-site websocket hijacking)
    assert (
        await _refused(_ws(live.base_url, a["id"]), {"Cookie": cookie, "Origin": "https://evil.example"})
    )[0] == 403

    async with connect(_ws(live.base_url, a["id"], f"?token={token}")) as ws:  # the agent, by query token
        await owner.post(f"/api/companies/{a['id']}/issues", json={"title": "Seen by the agent"})
        assert (await _next(ws, "activity.logged"))["payload"]["action"] == "issue.created"
    async with connect(
        _ws(live.base_url, a["id"]), additional_headers={"Cookie": cookie, "Origin": live.base_url}
    ) as ws:
        await owner.post(f"/api/companies/{a['id']}/issues", json={"title": "Seen by the board"})
        assert (await _next(ws, "activity.logged"))["payload"]["details"]["title"] == "Seen by the board"
