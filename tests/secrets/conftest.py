from __future__ import annotations

import sys
from pathlib import Path

import pytest


@pytest.fixture
async def strict_client(make_settings, database_url):
    """A client on an app in local_trusted mode with PAPERCLIP_SECRETS_STRICT_MODE=true."""
    import httpx

    from paperclip.server.runtime import build_app

    application = build_app(
        make_settings({"PAPERCLIP_SECRETS_STRICT_MODE": "true"}), database_url, 3100, role="api"
    )
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as http:
            yield http


@pytest.fixture(scope="session")
def moto_endpoint():
    """A real Secrets Manager-compatible HTTP endpoint: moto in server mode on 127.0.0.1."""
    import os
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("moto_server exited") from None
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def aws_env(moto_endpoint, monkeypatch):
    """Credentials for the standard chain (moto accepts any) and the endpoint setting."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return {"PAPERCLIP_SECRETS_AWS_ENDPOINT": moto_endpoint, "PAPERCLIP_SECRETS_AWS_REGION": "us-east-1"}


@pytest.fixture
async def app_with(make_settings, database_url):
    """Start apps with extra settings: `async with app_with(env) as (app, client)`."""
    import contextlib

    import httpx

    from paperclip.server.runtime import build_app

    @contextlib.asynccontextmanager
    async def start(env):
        settings = make_settings(env)
        application = build_app(settings, database_url, 3100, role="api")
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as http:
                yield application, http

    return start
