"""S3 for the storage tests: a real moto server on 127.0.0.1, started once per test session.

Path-style requests go straight to it. Virtual-host style requests (`<bucket>.s3.amazonaws.com`)
reach it as an HTTP proxy: botocore sends the absolute URL with the bucket in the Host header and
moto routes by that header, exactly as S3 does, without any DNS name resolving to this machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
VIRTUAL_ENDPOINT = "http://s3.amazonaws.com"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_clients: dict[str, object] = {}


@dataclass(frozen=True)
class MotoServer:
    endpoint: str
    port: int

    def client(self):
        if self.endpoint not in _clients:
            _clients[self.endpoint] = boto3.session.Session().client(
                "s3", region_name="us-east-1", endpoint_url=self.endpoint
            )
        return _clients[self.endpoint]

    def new_bucket(self) -> str:
        name = f"pc-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        return [o["Key"] for o in self.client().list_objects_v2(Bucket=bucket).get("Contents", [])]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    port = free_port()
    saved = {k: os.environ.get(k) for k in [*AWS_ENV, "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"]}
    os.environ.update(AWS_ENV)
    # Only the virtual-host tests' fake AWS host goes through the proxy; everything else stays direct.
    os.environ["HTTP_PROXY"] = os.environ["http_proxy"] = f"http://127.0.0.1:{port}"
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield MotoServer(f"http://127.0.0.1:{port}", port)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def s3_bucket(moto_server: MotoServer) -> str:
    return moto_server.new_bucket()


@pytest.fixture
def s3_env(moto_server: MotoServer, s3_bucket: str) -> dict[str, str]:
    """Settings environment for an instance storing in a fresh bucket of the moto server (path style)."""
    return {
        "PAPERCLIP_STORAGE_PROVIDER": "s3",
        "PAPERCLIP_STORAGE_S3_BUCKET": s3_bucket,
        "PAPERCLIP_STORAGE_S3_REGION": "us-east-1",
        "PAPERCLIP_STORAGE_S3_ENDPOINT": moto_server.endpoint,
        "PAPERCLIP_STORAGE_S3_FORCE_PATH_STYLE": "true",
        "PAPERCLIP_STORAGE_S3_PREFIX": "/pc/",
    }


@pytest.fixture
async def s3_app(make_settings, database_url: str, s3_env: dict[str, str]):
    from paperclip.server.runtime import build_app

    application = build_app(make_settings(s3_env), database_url, 3100, role="api")
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def s3_client(s3_app):
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=s3_app), base_url="http://localhost:3100"
    ) as http:
        yield http


def stored_files(app) -> list[str]:
    """Every object file under a local-disk instance's storage directory (temp files included)."""
    root = app.state.settings.storage.local_dir
    return (
        sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        if root.exists()
        else []
    )
