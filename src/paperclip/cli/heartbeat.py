"""`paperclipai heartbeat run --agent-id <id>`: wake an agent through the API, stream its run's log
until the run ends, and exit with the run's exit code."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from paperclip.cli.common import ConfigOpt, DataDir, Instance, fail, settings_for
from paperclip.vocabulary import RUN_TERMINAL

if TYPE_CHECKING:
    import httpx  # imported where used: `paperclipai run` imports this module and never needs it

heartbeat_app = typer.Typer(help="Heartbeat runs: wake an agent and follow its run.", no_args_is_help=True)
POLL_SECONDS = 0.25


def run_exit_code(run: dict[str, Any]) -> int:
    status = run.get("status")
    if status == "succeeded":
        return 0
    if status == "timed_out":
        return 124
    if status == "cancelled":
        return 130
    code = run.get("exitCode")
    return code if isinstance(code, int) and code > 0 else 1


class LogFollower:
    """Pages through GET /heartbeat-runs/:id/log and writes each NDJSON chunk to its stream."""

    def __init__(self, http: httpx.Client, run_id: str, echo: bool):
        self.http, self.run_id, self.echo = http, run_id, echo
        self.offset = 0
        self.partial = ""

    def drain(self) -> None:
        while True:
            res = self.http.get(
                f"/api/heartbeat-runs/{self.run_id}/log",
                params={"offset": self.offset, "limitBytes": 256_000},
            )
            if res.status_code != 200:
                return
            page = res.json()
            content = page.get("content") or ""
            self.offset = page.get("nextOffset") or (self.offset + len(content.encode()))
            self._write(content)
            if "nextOffset" not in page:
                return

    def _write(self, content: str) -> None:
        text = self.partial + content
        lines = text.split("\n")
        self.partial = lines.pop()
        if not self.echo:
            return
        for line in lines:
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            stream = sys.stderr if entry.get("stream") in ("stderr", "system") else sys.stdout
            stream.write(entry.get("chunk") or "")
            stream.flush()


def _client(api_base: str, api_key: str | None) -> httpx.Client:
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.Client(base_url=api_base.rstrip("/"), headers=headers, timeout=30)


@heartbeat_app.command("run")
def run_command(
    agent_id: Annotated[str, typer.Option("--agent-id", help="The agent to wake")],
    api_base: Annotated[
        str | None,
        typer.Option("--api-base", help="Server base URL (default: $PAPERCLIP_API_URL or this instance)"),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", help="Bearer token (default: $PAPERCLIP_API_KEY; none in local_trusted)"),
    ] = None,
    timeout_ms: Annotated[
        int, typer.Option("--timeout-ms", help="Stop following after this long (0: no limit)")
    ] = 0,
    reason: Annotated[
        str, typer.Option("--reason", help="Wake reason recorded on the run")
    ] = "cli_heartbeat_run",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the finished run as JSON instead of its log")
    ] = False,
    data_dir: DataDir = None,
    config: ConfigOpt = None,
    instance: Instance = None,
) -> None:
    """Wake an agent on demand, stream its run's output, and exit with the run's exit code."""
    import httpx

    if api_base is None:
        api_base = os.environ.get("PAPERCLIP_API_URL")
    if api_base is None:
        settings = settings_for(data_dir, config, instance)
        api_base = f"http://127.0.0.1:{settings.port}"
    if not (api_key or os.environ.get("PAPERCLIP_API_KEY")):
        from paperclip.cli.auth_login import stored_token  # a person's `paperclipai auth login`

        api_key = stored_token(api_base)
    api_key = api_key or os.environ.get("PAPERCLIP_API_KEY") or None
    deadline = time.monotonic() + timeout_ms / 1000 if timeout_ms > 0 else None
    try:
        with _client(api_base, api_key) as http:
            res = http.post(
                f"/api/agents/{agent_id}/wakeup",
                json={"source": "on_demand", "triggerDetail": "manual", "reason": reason},
            )
            if res.status_code >= 400:
                fail(_error(res))
            body = res.json()
            if body.get("status") in ("skipped", "deferred_issue_execution") or "id" not in body:
                fail(
                    f"Wake-up not started: {body.get('status')} ({body.get('reason') or body.get('message') or ''})".strip()
                )
            run_id = body["id"]
            if not as_json:
                sys.stderr.write(f"[paperclip] run {run_id} queued for agent {agent_id}\n")
            follower = LogFollower(http, run_id, echo=not as_json)
            while True:
                run = http.get(f"/api/heartbeat-runs/{run_id}").json()
                follower.drain()
                if run.get("status") in RUN_TERMINAL:
                    follower.drain()
                    break
                if deadline is not None and time.monotonic() > deadline:
                    fail(
                        f"Timed out after {timeout_ms} ms waiting for run {run_id} (status {run.get('status')})",
                        124,
                    )
                time.sleep(POLL_SECONDS)
    except httpx.HTTPError as exc:
        fail(f"Cannot reach the Paperclip API at {api_base}: {exc}")
    if as_json:
        typer.echo(json.dumps(run, indent=2))
    else:
        detail = f" ({run.get('error')})" if run.get("error") else ""
        sys.stderr.write(f"[paperclip] run {run_id} {run['status']}{detail}\n")
    raise typer.Exit(run_exit_code(run))


def _error(res: httpx.Response) -> str:
    try:
        return f"{res.status_code}: {res.json().get('error')}"
    except ValueError:
        return f"{res.status_code}: {res.text[:200]}"
