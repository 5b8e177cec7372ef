"""Agent mutations from the board's forms: hire, configure, roll back, pause / resume / terminate /
clear error / approve, wake now, cancel a run, API keys, budget. Registered on `agents.router`.

Each answers `done()` (JS follows X-Location, plain forms get a 303) or re-renders the tab it came
from; errors are the services' own (shown next to the control by app.js).
"""

from __future__ import annotations

import uuid
from typing import Any

from paperclip.agents import hires, keys, lifecycle
from paperclip.agents import service as agents
from paperclip.agents.schemas import AgentCreate, AgentPatch, KeyCreate
from paperclip.errors import NotFound
from paperclip.heartbeat import service as heartbeat
from paperclip.web.context import CompanyPage, Page
from paperclip.web.forms import FormData, form_data
from paperclip.web.pages import agent_config_form as cfgform
from paperclip.web.pages.agents import agent_detail_page, agent_hrefs, find_agent, find_run, router
from paperclip.web.pages.formkit import (
    WRITE,
    body,
    cents,
    field_error,
    optional_uuid,
    render_page,
    strict_secrets,
)
from paperclip.web.render import done, is_fragment


def _identity(form: FormData) -> dict[str, Any]:
    role = form.text("role") or "general"
    if role not in cfgform.ROLES:
        raise field_error("role", "Choose a role from the list")
    return {
        "name": form.text("name"),
        "role": role,
        "title": form.text("title") or None,
        "capabilities": form.text("capabilities") or None,
        "reportsTo": optional_uuid(form, "reportsTo"),
    }


def _adapter_type(form: FormData, current: str | None = None) -> str:
    adapter_type = form.text("adapterType") or "process"
    if adapter_type not in cfgform.adapter_types() and adapter_type != current:
        raise field_error("adapterType", "Choose an adapter from the list")
    return adapter_type


@router.post("/{prefix}/agents/new", dependencies=WRITE)
async def create_agent(page: CompanyPage):
    form = await form_data(page.request)
    adapter_type = _adapter_type(form)
    data = {
        **_identity(form),
        "adapterType": adapter_type,
        "adapterConfig": cfgform.parse_adapter_config(form, adapter_type),
        "runtimeConfig": cfgform.parse_runtime_config(form, {}),
        "budgetMonthlyCents": cents(form, "budget"),
    }
    agent, approval = await hires.hire(
        page.session,
        page.actor,
        page.company.id,
        body(AgentCreate, data),
        page.now,
        strict_secrets=strict_secrets(page),
    )
    await page.session.flush()
    hrefs = await agent_hrefs(page)
    if approval is not None:
        return done(page.request, f"/{page.prefix}/approvals/{approval.id}")
    return done(page.request, hrefs[agent.id])


@router.post("/{prefix}/agents/{key}/configuration", dependencies=WRITE)
async def save_configuration(page: CompanyPage, key: str):
    agent = await find_agent(page, key)
    form = await form_data(page.request)
    adapter_type = _adapter_type(form, agent.adapter_type)
    stored = (
        agent.adapter_config or {}
        if adapter_type == agent.adapter_type
        else {"env": (agent.adapter_config or {}).get("env") or {}}
    )
    data = {
        **_identity(form),
        "adapterType": adapter_type,
        "adapterConfig": cfgform.parse_adapter_config(form, adapter_type, stored),
        "replaceAdapterConfig": True,
        "runtimeConfig": cfgform.parse_runtime_config(form, agent.runtime_config),
    }
    agent = await agents.update_agent(
        page.session,
        page.actor,
        agent.id,
        body(AgentPatch, data),
        page.now,
        strict_secrets=strict_secrets(page),
    )
    hrefs = await agent_hrefs(page)
    return done(page.request, hrefs[agent.id] + "/configuration")


@router.post("/{prefix}/agents/{key}/revisions/{revision_id}/rollback", dependencies=WRITE)
async def rollback(page: CompanyPage, key: str, revision_id: str):
    agent = await find_agent(page, key)
    try:
        rid = uuid.UUID(revision_id)
    except ValueError:
        raise NotFound("Revision not found") from None
    agent = await agents.rollback(page.session, page.actor, agent.id, rid, page.now)
    hrefs = await agent_hrefs(page)
    return done(page.request, hrefs[agent.id] + "/configuration")


_LIFECYCLE = {
    "pause": lifecycle.pause,
    "resume": lifecycle.resume,
    "terminate": lifecycle.terminate,
    "clear-error": lifecycle.clear_error,
    "approve": lifecycle.approve,
}


def _lifecycle_route(action: str):
    transition = _LIFECYCLE[action]

    async def handler(page: CompanyPage, key: str):
        agent = await find_agent(page, key)
        await transition(page.session, page.actor, agent.id, page.now)
        return done(page.request, await _back(page, agent.id))

    handler.__name__ = "agent_" + action.replace("-", "_")
    router.add_api_route(
        f"/{{prefix}}/agents/{{key}}/{action}", handler, methods=["POST"], dependencies=WRITE
    )


async def _back(page: Page, agent_id) -> str:
    """Where an action returns: the page the form was on (same origin), else the agent's page."""
    target = (await form_data(page.request)).text("next")
    # a path on this site only: not //host, not /\host (browsers read it as //host), no control characters
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and target.isprintable()
        and len(target) < 500
    ):
        return target
    return (await agent_hrefs(page))[agent_id]


for _action in _LIFECYCLE:
    _lifecycle_route(_action)


@router.post("/{prefix}/agents/{key}/wake", dependencies=WRITE)
async def wake(page: CompanyPage, key: str):
    agent = await find_agent(page, key)
    form = await form_data(page.request)
    result = await heartbeat.wake_agent(
        page.session,
        page.actor,
        agent.id,
        source="on_demand",
        trigger_detail="manual",
        reason=form.text("reason") or None,
        payload=None,
        idempotency_key=None,
        force_fresh_session=False,
        invoke=False,
        now=page.now,
    )
    href = (await agent_hrefs(page))[agent.id]
    if result.get("id"):
        return done(page.request, f"{href}/runs/{result['id']}")
    raise field_error("wake", "The wake-up was skipped: " + str(result.get("reason") or result.get("status")))


@router.post("/{prefix}/agents/{key}/runs/{run_id}/cancel", dependencies=WRITE)
async def cancel_run(page: CompanyPage, key: str, run_id: str):
    agent = await find_agent(page, key)
    run = await find_run(page, agent, run_id)
    await heartbeat.cancel_run(page.session, page.actor, run.id, page.now)
    href = (await agent_hrefs(page))[agent.id]
    return done(page.request, f"{href}/runs/{run.id}")


@router.post("/{prefix}/agents/{key}/keys", dependencies=WRITE)
async def create_key(page: CompanyPage, key: str):
    agent = await find_agent(page, key)
    form = await form_data(page.request)
    name = body(KeyCreate, {"name": form.text("name") or "default"}).name
    created, token = await keys.create_key(page.session, page.actor, agent.id, name, page.now)
    await page.session.flush()
    # The token is shown in this answer only; it is never stored and never shown again.
    return await agent_detail_page(page, key, "keys", new_key=created, new_token=token)


@router.post("/{prefix}/agents/{key}/keys/{key_id}/revoke", dependencies=WRITE)
async def revoke_key(page: CompanyPage, key: str, key_id: str):
    agent = await find_agent(page, key)
    try:
        kid = uuid.UUID(key_id)
    except ValueError:
        raise NotFound("Key not found") from None
    await keys.revoke_key(page.session, page.actor, agent.id, kid, page.now)
    return done(page.request, (await agent_hrefs(page))[agent.id] + "/keys")


@router.post("/{prefix}/agents/{key}/budget", dependencies=WRITE)
async def set_budget(page: CompanyPage, key: str):
    agent = await find_agent(page, key)
    form = await form_data(page.request)
    patch = body(AgentPatch, {"budgetMonthlyCents": cents(form, "budget")})
    await agents.update_agent(
        page.session, page.actor, agent.id, patch, page.now, strict_secrets=strict_secrets(page)
    )
    return done(page.request, (await agent_hrefs(page))[agent.id] + "/budget")


@router.post("/{prefix}/agents/{key}/test-environment", dependencies=WRITE)
async def test_environment(page: CompanyPage, key: str):
    """Ask the agent's adapter whether it can run here (CLI found, URL reachable…); nothing is stored."""
    from paperclip.adapters.registry import get_adapter

    agent = await find_agent(page, key)
    adapter = get_adapter(agent.adapter_type)
    if adapter is None:
        report = {
            "adapterType": agent.adapter_type,
            "status": "fail",
            "checks": [
                {
                    "code": "adapter_missing",
                    "level": "error",
                    "message": f"No adapter named {agent.adapter_type} is installed",
                }
            ],
        }
    else:
        report = await adapter.test_environment(agent.adapter_config or {})
    if is_fragment(page.request):
        return await render_page(page, "agents/_env_report.html", report=report)
    return await agent_detail_page(page, key, "configuration", env_report=report)


@router.post("/{prefix}/agents/{key}/permissions", dependencies=WRITE)
async def set_permissions(page: CompanyPage, key: str):
    """What the agent may do through the API: hire agents (through approval) and assign tasks to others."""
    from paperclip.agents.schemas import PermissionsPatch

    agent = await find_agent(page, key)
    form = await form_data(page.request)
    patch = PermissionsPatch(
        canCreateAgents=form.get("canCreateAgents") == "on", canAssignTasks=form.get("canAssignTasks") == "on"
    )
    await agents.update_permissions(page.session, page.actor, agent.id, patch, page.now)
    return done(page.request, (await agent_hrefs(page))[agent.id] + "/configuration#permissions")
