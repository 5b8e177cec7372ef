"""The http adapter against a local test server: payload, headers, non-2xx failure, timeout."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# Every test here needs its wake-ups to end in finished runs.
pytestmark = pytest.mark.usefixtures("app_with_runner")


@pytest.fixture
def agent_server():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            received.append({"path": self.path, "body": body, "auth": self.headers.get("x-agent-auth")})
            if self.path == "/slow":
                import time

                time.sleep(3)
            status = 500 if self.path == "/broken" else 200
            data = json.dumps({"ok": status == 200, "runId": "ext-1"}).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()


async def run_http(client, factory, config):
    company = await factory.company()
    agent = await factory.agent(company, adapter_type="http", config=config)
    res = await client.post(f"/api/agents/{agent}/wakeup", json={"reason": "ping"})
    return agent, await factory.wait_run(res.json()["id"])


async def test_http_adapter_posts_template_merged_with_run_identity(client, factory, agent_server):
    url, received = agent_server
    agent, run = await run_http(
        client,
        factory,
        {
            "url": f"{url}/wake",
            "headers": {"X-Agent-Auth": "abc"},
            "payloadTemplate": {"team": "blue", "agentId": "spoof"},
        },
    )
    assert run.status == "succeeded", run.error
    assert run.external_run_id == "ext-1"
    body = received[0]["body"]
    assert body["team"] == "blue" and body["agentId"] == str(agent) and body["runId"] == str(run.id)
    assert body["context"]["wakeReason"] == "ping" and received[0]["auth"] == "abc"


async def test_non_2xx_is_a_failed_run(client, factory, agent_server):
    url, _ = agent_server
    _, run = await run_http(client, factory, {"url": f"{url}/broken"})
    assert run.status == "failed" and run.error == "HTTP invoke failed with status 500"


async def test_http_timeout(client, factory, agent_server):
    url, _ = agent_server
    _, run = await run_http(client, factory, {"url": f"{url}/slow", "timeoutMs": 300})
    assert run.status == "timed_out" and run.error_code == "timeout"
    await asyncio.sleep(0)
