"""Access (paperclip.access: sign-in, invites, members, board keys, board claim, first admin) over a
live server in authenticated mode: uvicorn on a free 127.0.0.1 port, over the test database (tests/auth
uses it too).

`live.client()` is a cookie-keeping httpx client whose Origin is the server's own (a browser on the
board); `live.sign_up(...)` makes a user and returns a signed-in client; `live.make_admin(user_id)`
grants instance admin straight in the database (the way the board claim or bootstrap invite would).
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from sqlalchemy.dialects.postgresql import insert

from paperclip.auth import actor_cache
from paperclip.db.models import CompanyMembership, InstanceUserRole

AUTH_ENV = {
    "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
    "BETTER_AUTH_SECRET": "test-better-auth-secret-0123456789",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Live:
    app: object
    base_url: str
    clients: list = field(default_factory=list)

    def client(self, **kwargs) -> httpx.AsyncClient:
        headers = {"origin": self.base_url, **kwargs.pop("headers", {})}
        http = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=30, **kwargs)
        self.clients.append(http)
        return http

    async def sign_up(
        self, email: str | None = None, password: str = "correct horse battery", name: str = "Test User"
    ) -> tuple[httpx.AsyncClient, dict]:
        http = self.client()
        email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
        r = await http.post(
            "/api/auth/sign-up/email", json={"name": name, "email": email, "password": password}
        )
        assert r.status_code == 200, r.text
        return http, r.json()["user"]

    async def make_admin(self, user_id: str) -> None:
        async with self.app.state.sessions() as s, s.begin():
            await s.execute(
                insert(InstanceUserRole)
                .values(user_id=user_id, role="instance_admin")
                .on_conflict_do_nothing()
            )
        actor_cache.clear()  # a write outside any request (another process): not waiting out the cache

    async def add_member(self, company_id: str, user_id: str, role: str = "member") -> None:
        async with self.app.state.sessions() as s, s.begin():
            await s.execute(
                insert(CompanyMembership)
                .values(
                    company_id=uuid.UUID(company_id),
                    principal_type="user",
                    principal_id=user_id,
                    status="active",
                    membership_role=role,
                )
                .on_conflict_do_nothing()
            )
        actor_cache.clear()


async def start_live(settings, database_url: str):
    from paperclip.server.runtime import build_app

    port = _free_port()
    app = build_app(settings, database_url, port, role="api")
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return app, server, task, port


@pytest.fixture
async def live_factory(make_settings, database_url) -> AsyncIterator:
    running = []

    async def launch(env: dict[str, str] | None = None) -> Live:
        settings = make_settings({**AUTH_ENV, **(env or {})})
        app, server, task, port = await start_live(settings, database_url)
        live = Live(app=app, base_url=f"http://127.0.0.1:{port}")
        running.append((live, server, task))
        return live

    yield launch
    for live, server, task in running:
        for http in live.clients:
            await http.aclose()
        server.should_exit = True
        await task


@pytest.fixture
async def live(live_factory) -> Live:
    return await live_factory()


@pytest.fixture
def start_app():
    """`await start_app(settings, database_url)` -> (app, server, task, port): a live server of any mode."""
    return start_live
