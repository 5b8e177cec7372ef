"""No agent can stall or crash the process that runs every heartbeat: output is capped per run
(head and tail kept, the drop said), an HTTP agent's answer is streamed up to a cap, and every run
has a timeout even when its agent sets none. Real processes and a real local HTTP server."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest
from hb_support import write_script

# Every test here needs its wake-ups to end in finished runs.
pytestmark = pytest.mark.usefixtures("app_with_runner")

LOG_CAP = 256 * 1024


@pytest.fixture
def settings(make_settings):
    return make_settings(
        {
            "PAPERCLIP_RUN_LOG_MAX_BYTES": str(LOG_CAP),
            "PAPERCLIP_RUN_TIMEOUT_SEC": "2",
            "PAPERCLIP_HTTP_ADAPTER_MAX_RESPONSE_BYTES": "65536",
        }
    )


async def wake(client, factory, config, adapter_type="process"):
    company = await factory.company()
    agent = await factory.agent(company, adapter_type=adapter_type, config=config)
    res = await client.post(f"/api/agents/{agent}/wakeup", json={"reason": "test_wake"})
    assert res.status_code == 202, res.text
    return res.json()["id"]


def log_lines(settings, run) -> list[dict]:
    path = Path(settings.paths.run_logs_dir) / run.log_ref
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_a_flooding_agent_keeps_the_head_and_tail_of_its_log_and_says_what_was_dropped(
    client, factory, settings, tmp_path
):
    flood = write_script(
        tmp_path / "flood.py",
        """
        import sys
        out = sys.stdout
        out.write("FIRST-LINE\\n")
        line = "x" * 99 + "\\n"
        for _ in range(200_000):  # 20 MB
            out.write(line)
        out.write("LAST-LINE\\n")
    """,
    )
    run = await factory.wait_run(
        await wake(client, factory, {"command": str(flood), "timeoutSec": 60}), timeout=60
    )
    assert run.status == "succeeded", run.error
    path = Path(settings.paths.run_logs_dir) / run.log_ref
    assert path.stat().st_size < LOG_CAP + 64 * 1024  # NDJSON framing of the kept chunks aside, capped
    assert run.log_bytes == path.stat().st_size
    lines = log_lines(settings, run)
    text = "".join(line["chunk"] for line in lines)
    assert text.startswith("FIRST-LINE\n") and text.endswith("LAST-LINE\n")
    notes = [
        line for line in lines if line["stream"] == "system" and "bytes of output dropped" in line["chunk"]
    ]
    assert len(notes) == 1
    dropped = int(notes[0]["chunk"].split("] ", 1)[1].split(" ", 1)[0])
    kept = sum(len(line["chunk"].encode()) for line in lines if line["stream"] == "stdout")
    assert kept + dropped == len("FIRST-LINE\n") + 200_000 * 100 + len(
        "LAST-LINE\n"
    )  # every byte is either kept or counted as dropped
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert "LAST-LINE" in run.stdout_excerpt


async def test_secrets_are_masked_in_the_head_and_in_the_kept_tail(client, factory, settings, tmp_path):
    secret = "s3cr3t-" + "v" * 40
    flood = write_script(
        tmp_path / "flood.py",
        """
        import os, sys
        secret = os.environ["DB_PASS"]
        out = sys.stdout
        out.write("head " + secret + "\\n")
        for i in range(60_000):
            out.write(("z" * 90 + " " + secret + "\\n") if i % 997 == 0 else ("z" * 99 + "\\n"))
        out.write(secret[:20])  # a secret split across two writes
        out.flush()
        out.write(secret[20:] + " tail\\n")
    """,
    )
    config = {"command": str(flood), "env": {"DB_PASS": {"type": "plain", "value": secret}}}
    run = await factory.wait_run(await wake(client, factory, config), timeout=60)
    assert run.status == "succeeded", run.error
    raw = (Path(settings.paths.run_logs_dir) / run.log_ref).read_text()
    assert "bytes of output dropped" in raw
    assert secret not in raw and secret[:20] not in raw and secret[20:] not in raw
    text = "".join(line["chunk"] for line in log_lines(settings, run))
    assert text.startswith("head ***REDACTED***\n") and text.endswith("***REDACTED*** tail\n")
    assert secret not in (run.stdout_excerpt or "")


async def test_output_under_the_cap_is_kept_whole(client, factory, settings, tmp_path):
    script = write_script(
        tmp_path / "some.py",
        """
        for i in range(2000):
            print(f"line {i:05d} " + "y" * 80)
    """,
    )
    run = await factory.wait_run(await wake(client, factory, {"command": str(script)}))
    assert run.status == "succeeded", run.error
    text = "".join(line["chunk"] for line in log_lines(settings, run))
    assert text == "".join(f"line {i:05d} " + "y" * 80 + "\n" for i in range(2000))


async def test_a_process_run_without_a_timeout_gets_the_servers_default(client, factory):
    run = await factory.wait_run(
        await wake(client, factory, {"command": "/bin/sleep", "args": ["60"], "graceSec": 1})
    )
    assert (run.status, run.error_code, run.error) == ("timed_out", "timeout", "Timed out after 2s")
    run = await factory.wait_run(
        await wake(client, factory, {"command": "/bin/sleep", "args": ["60"], "timeoutSec": 0, "graceSec": 1})
    )
    assert run.status == "timed_out"  # 0 is "the default", never "forever"


async def test_an_agents_own_timeout_wins_over_the_default(client, factory):
    run = await factory.wait_run(
        await wake(
            client, factory, {"command": "/bin/sh", "args": ["-c", "sleep 3; echo ok"], "timeoutSec": 20}
        )
    )
    assert run.status == "succeeded", run.error


class _HugeServer:
    """A local HTTP agent: /huge answers 2xx with a 64 MB body (written in 1 MB pieces, counting what
    the client took), /trickle sends a byte every 50 ms for ever, /slow answers after 10 s."""

    BODY = 64 * 1024 * 1024

    def __init__(self):
        self.sent = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket):
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(65536)
            head, _, rest = request.partition(b"\r\n\r\n")
            length = int(
                next(
                    (
                        line.split(b":")[1]
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    b"0",
                )
            )
            while len(rest) < length:
                rest += conn.recv(65536)
            path = head.split(b" ")[1]
            try:
                if path == b"/huge":
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                        b"content-length: %d\r\n\r\n" % self.BODY
                    )
                    piece = b"[" + b"1," * (512 * 1024 - 1)
                    for _ in range(self.BODY // len(piece)):
                        conn.sendall(piece)
                        self.sent += len(piece)
                elif path == b"/trickle":
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n"
                    )
                    while not self.stop.is_set():
                        conn.sendall(b"1\r\n.\r\n")
                        time.sleep(0.05)
                elif path == b"/slow":
                    time.sleep(10)
            except OSError:
                return

    def close(self):
        self.stop.set()
        self.listener.close()


@pytest.fixture
def http_agent():
    server = _HugeServer()
    yield server
    server.close()


async def test_a_huge_http_answer_is_read_only_up_to_the_cap(client, factory, settings, http_agent):
    run = await factory.wait_run(
        await wake(client, factory, {"url": f"{http_agent.url}/huge", "timeoutSec": 60}, adapter_type="http"),
        timeout=60,
    )
    assert run.status == "succeeded", run.error  # the status decides; the body is cut
    assert run.result_json["truncated"] is True and run.result_json["status"] == 200
    assert len(run.result_json["body"]) <= 65536
    assert http_agent.sent < _HugeServer.BODY // 2  # the rest was never read: the connection was closed
    text = "".join(line["chunk"] for line in log_lines(settings, run))
    assert "response body truncated: only the first 65536 bytes were read" in text


async def test_an_agents_own_response_cap_wins(client, factory, settings, http_agent):
    run = await factory.wait_run(
        await wake(
            client,
            factory,
            {"url": f"{http_agent.url}/huge", "timeoutSec": 60, "maxResponseBytes": 2048},
            adapter_type="http",
        )
    )
    assert run.result_json["truncated"] is True and len(run.result_json["body"]) == 2048


async def test_an_http_agent_that_never_finishes_answering_times_out(client, factory, http_agent):
    run = await factory.wait_run(
        await wake(client, factory, {"url": f"{http_agent.url}/trickle"}, adapter_type="http")
    )
    assert (run.status, run.error_code) == (
        "timed_out",
        "timeout",
    )  # bytes keep coming: only a total deadline ends it


async def test_an_http_agent_without_a_timeout_gets_the_servers_default(client, factory, http_agent):
    run = await factory.wait_run(
        await wake(client, factory, {"url": f"{http_agent.url}/slow"}, adapter_type="http")
    )
    assert (run.status, run.error) == ("timed_out", "Timed out after 2s")


async def test_run_logs_are_readable_by_the_server_only(client, factory, settings):
    run = await factory.wait_run(await wake(client, factory, {"command": "/bin/echo", "args": ["private"]}))
    path = Path(settings.paths.run_logs_dir) / run.log_ref
    assert path.stat().st_mode & 0o777 == 0o600
    for directory in (path.parent, path.parent.parent, path.parent.parent.parent):
        assert directory.stat().st_mode & 0o777 == 0o700, directory
