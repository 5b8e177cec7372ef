"""`POST /agents/:id/claude-login` (the original's "Trigger Claude login for agent"; `paperclipai agent
claude-login`): runs the agent's Claude CLI (`adapterConfig.command`, default `claude`) as `<command>
login` on this host, in the agent's working directory and environment (its adapter-config env with
secrets resolved, the PAPERCLIP_* identity of the agent, no API key), and answers what it printed
with the login URL it found, as the original does. Board only; claude_local agents only.

It waits for the CLI to exit (the user finishes the login in a browser meanwhile), at most the
agent's `timeoutSec` (default LOGIN_TIMEOUT_SEC; the original's own wait outlasted 300 s); secrets
from the env are masked in what is answered."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.adapters.base import config_float
from paperclip.adapters.spawn import run_process
from paperclip.auth.actor import Actor
from paperclip.config.settings import Settings
from paperclip.db.models import Agent
from paperclip.errors import BadRequest, NotFound, Unprocessable
from paperclip.heartbeat.env import Masker, build_env
from paperclip.ids import parse_uuid
from paperclip.secrets.run_env import EnvBindingError, resolve_config_env
from paperclip.secrets.service import resolve_value

LOGIN_TIMEOUT_SEC = 600.0
OUTPUT_LIMIT = 256 * 1024
# the original answers the URL without its query string
_URL_RE = re.compile(r"https?://[^\s'\"<>?]+")


@dataclass
class LoginPlan:
    agent_id: uuid.UUID
    company_id: uuid.UUID
    command: str
    cwd: str | None
    env: dict[str, str]
    masker: Masker
    timeout_sec: float


async def prepare(
    session: AsyncSession, actor: Actor, ref: str, settings: Settings, api_url: str
) -> LoginPlan:
    actor.require_board()
    agent_id = parse_uuid(ref)
    row = (
        (await session.execute(sa.select(Agent).where(Agent.id == agent_id))).scalars().first()
        if agent_id
        else None
    )
    if row is None:
        raise NotFound("Agent not found")
    actor.require_company(row.company_id)
    if row.adapter_type != "claude_local":
        raise BadRequest("Login is only supported for claude_local agents")
    config = row.adapter_config or {}

    async def resolve_secret(binding: dict[str, Any]) -> str:
        return await resolve_value(
            session, settings, row.company_id, binding.get("secretId"), binding.get("version", "latest")
        )

    try:
        config_env, secrets = await resolve_config_env(config.get("env"), resolve_secret)
    except EnvBindingError as exc:
        raise Unprocessable(str(exc)) from None
    runtime = {
        "PAPERCLIP_AGENT_ID": str(row.id),
        "PAPERCLIP_COMPANY_ID": str(row.company_id),
        "PAPERCLIP_API_URL": api_url.rstrip("/"),
        "PAPERCLIP_RUN_ID": f"claude-login-{uuid.uuid4()}",
    }
    timeout = config_float(config, "timeoutSec", 0)
    return LoginPlan(
        agent_id=row.id,
        company_id=row.company_id,
        command=str(config.get("command") or "claude"),
        cwd=str(config["cwd"]) if config.get("cwd") else None,
        env=build_env(settings.env, config_env, runtime),
        masker=Masker(secrets),
        timeout_sec=timeout if timeout > 0 else LOGIN_TIMEOUT_SEC,
    )


async def _ignore(_stream: str, _chunk: str) -> None:
    return None


async def run_login(plan: LoginPlan) -> dict[str, Any]:
    run = await run_process(
        plan.command,
        ["login"],
        env=plan.env,
        cwd=plan.cwd,
        timeout_sec=plan.timeout_sec,
        grace_sec=5,
        on_output=_ignore,
        tail_limit=OUTPUT_LIMIT,
    )
    if run.spawn_error:
        raise Unprocessable(f"Claude CLI could not be started: {run.spawn_error}")
    stdout, stderr = plan.masker.text(run.stdout_tail), plan.masker.text(run.stderr_tail)
    found = _URL_RE.search(stdout) or _URL_RE.search(stderr)
    return {
        "exitCode": run.exit_code,
        "signal": run.signal,
        "timedOut": run.timed_out,
        "stdout": stdout,
        "stderr": stderr,
        "loginUrl": found.group(0) if found else None,
    }


async def record_login(
    session: AsyncSession, actor: Actor, plan: LoginPlan, result: dict[str, Any], now: datetime
) -> None:
    del now  # the entry's time is the database's clock, like every activity entry
    await record(
        session,
        actor,
        company_id=plan.company_id,
        action="agent.claude_login",
        entity_type="agent",
        entity_id=plan.agent_id,
        details={
            "exitCode": result["exitCode"],
            "timedOut": result["timedOut"],
            "loginUrlFound": result["loginUrl"] is not None,
        },
    )
