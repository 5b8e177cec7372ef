"""/api/agents and /api/companies/{id}/agents routes."""

from __future__ import annotations

from paperclip.agents import hires, keys, lifecycle, revisions, service
from paperclip.agents.hierarchy import chain_of_command
from paperclip.agents.refs import AgentRef
from paperclip.agents.schemas import (
    AgentCreate,
    AgentPatch,
    KeyCreate,
    PermissionsPatch,
    agent_to_wire,
    configuration_to_wire,
    key_to_wire,
    revision_to_wire,
)
from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.api.paging import PageDep
from paperclip.api.responses import Ok, returns
from paperclip.approvals.schemas import approval_to_wire
from paperclip.auth.ids import path_uuid
from paperclip.costs import budgets
from paperclip.costs.schemas import BudgetAmount
from paperclip.feature_router import FeatureRouter

router = FeatureRouter(tags=["agents"])
COMPANY = "Company not found"


@router.get("/companies/{company_id}/agents")
@returns("list[Agent]")
async def list_agents(company_id: str, session: DB, actor: ActorDep, page: PageDep):
    agents = await service.list_agents(session, actor, path_uuid(company_id, COMPANY), page.window)
    return page.respond([agent_to_wire(a) for a in agents])


@router.get("/companies/{company_id}/agent-configurations")
@returns("list[AgentConfiguration]")
async def list_configurations(company_id: str, session: DB, actor: ActorDep, page: PageDep):
    """Every agent's configuration, redacted like GET /agents/:id/configuration."""
    agents = await service.list_agents(session, actor, path_uuid(company_id, COMPANY), page.window)
    return page.respond([configuration_to_wire(a) for a in agents])


@router.post("/companies/{company_id}/agents", status_code=201)
@returns("Agent")
async def create_agent(
    company_id: str, body: AgentCreate, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return agent_to_wire(
        await service.create_agent(
            session,
            actor,
            path_uuid(company_id, COMPANY),
            body,
            now,
            strict_secrets=settings.secrets.strict_mode,
        )
    )


@router.post("/companies/{company_id}/agent-hires", status_code=201)
@returns("Hire")
async def hire_agent(
    company_id: str, body: AgentCreate, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    agent, approval = await hires.hire(
        session, actor, path_uuid(company_id, COMPANY), body, now, strict_secrets=settings.secrets.strict_mode
    )
    return {"agent": agent_to_wire(agent), "approval": approval_to_wire(approval) if approval else None}


@router.get("/agents/me")
@returns("AgentDetail")
async def get_me(session: DB, actor: ActorDep):
    agent = await service.me(session, actor)
    return {**agent_to_wire(agent), "chainOfCommand": await chain_of_command(session, agent)}


@router.get("/agents/{agent_id}")
@returns("AgentDetail")
async def get_agent(agent_id: AgentRef, session: DB, actor: ActorDep):
    agent = await service.get_agent(session, actor, agent_id)
    return {**agent_to_wire(agent), "chainOfCommand": await chain_of_command(session, agent)}


@router.patch("/agents/{agent_id}")
@returns("Agent")
async def update_agent(
    agent_id: AgentRef, body: AgentPatch, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return agent_to_wire(
        await service.update_agent(
            session, actor, agent_id, body, now, strict_secrets=settings.secrets.strict_mode
        )
    )


@router.delete("/agents/{agent_id}")
@returns(Ok)
async def delete_agent(agent_id: AgentRef, session: DB, actor: ActorDep):
    await service.delete_agent(session, actor, agent_id)
    return {"ok": True}


@router.get("/agents/{agent_id}/configuration")
@returns("AgentConfiguration")
async def get_configuration(agent_id: AgentRef, session: DB, actor: ActorDep):
    return configuration_to_wire(await service.get_agent(session, actor, agent_id))


@router.patch("/agents/{agent_id}/permissions")
@returns("Agent")
async def update_permissions(
    agent_id: AgentRef, body: PermissionsPatch, session: DB, actor: ActorDep, now: Now
):
    return agent_to_wire(await service.update_permissions(session, actor, agent_id, body, now))


@router.get("/agents/{agent_id}/config-revisions")
@returns("list[ConfigRevision]")
async def list_revisions(agent_id: AgentRef, session: DB, actor: ActorDep, page: PageDep):
    agent = await service.get_agent(session, actor, agent_id)
    return page.respond(
        [revision_to_wire(r) for r in await revisions.list_revisions(session, agent.id, page.window)]
    )


@router.get("/agents/{agent_id}/config-revisions/{revision_id}")
@returns("ConfigRevision")
async def get_revision(agent_id: AgentRef, revision_id: str, session: DB, actor: ActorDep):
    agent = await service.get_agent(session, actor, agent_id)
    return revision_to_wire(
        await revisions.get_revision(session, agent.id, path_uuid(revision_id, "Revision not found"))
    )


@router.post("/agents/{agent_id}/config-revisions/{revision_id}/rollback")
@returns("Agent")
async def rollback_revision(agent_id: AgentRef, revision_id: str, session: DB, actor: ActorDep, now: Now):
    agent = await service.rollback(
        session, actor, agent_id, path_uuid(revision_id, "Revision not found"), now
    )
    return agent_to_wire(agent)


@router.post("/agents/{agent_id}/pause")
@returns("Agent")
async def pause_agent(agent_id: AgentRef, session: DB, actor: ActorDep, now: Now):
    return agent_to_wire(await lifecycle.pause(session, actor, agent_id, now))


@router.post("/agents/{agent_id}/resume")
@returns("Agent")
async def resume_agent(agent_id: AgentRef, session: DB, actor: ActorDep, now: Now):
    return agent_to_wire(await lifecycle.resume(session, actor, agent_id, now))


@router.post("/agents/{agent_id}/terminate")
@returns("Agent")
async def terminate_agent(agent_id: AgentRef, session: DB, actor: ActorDep, now: Now):
    return agent_to_wire(await lifecycle.terminate(session, actor, agent_id, now))


@router.post("/agents/{agent_id}/clear-error")
@returns("Agent")
async def clear_agent_error(agent_id: AgentRef, session: DB, actor: ActorDep, now: Now):
    return agent_to_wire(await lifecycle.clear_error(session, actor, agent_id, now))


@router.post("/agents/{agent_id}/approve")
@returns("Agent")
async def approve_agent(agent_id: AgentRef, session: DB, actor: ActorDep, now: Now):
    return agent_to_wire(await lifecycle.approve(session, actor, agent_id, now))


@router.get("/agents/{agent_id}/keys")
@returns("list[AgentKey]")
async def list_keys(agent_id: AgentRef, session: DB, actor: ActorDep, page: PageDep):
    return page.respond([key_to_wire(k) for k in await keys.list_keys(session, actor, agent_id, page.window)])


@router.post("/agents/{agent_id}/keys", status_code=201)
@returns("AgentKeyCreated")
async def create_key(
    agent_id: AgentRef, session: DB, actor: ActorDep, now: Now, body: KeyCreate | None = None
):
    key, token = await keys.create_key(session, actor, agent_id, (body or KeyCreate()).name, now)
    return key_to_wire(key, token)


@router.delete("/agents/{agent_id}/keys/{key_id}")
@returns(Ok)
async def revoke_key(agent_id: AgentRef, key_id: str, session: DB, actor: ActorDep, now: Now):
    await keys.revoke_key(session, actor, agent_id, path_uuid(key_id, "Key not found"), now)
    return {"ok": True}


@router.patch("/agents/{agent_id}/budgets")
@returns("Agent")
async def set_agent_budget(agent_id: str, body: BudgetAmount, session: DB, actor: ActorDep, now: Now):
    aid = path_uuid(agent_id, "Agent not found")
    actor.require_board()
    return agent_to_wire(await budgets.set_agent_budget(session, actor, aid, body.budgetMonthlyCents, now))
