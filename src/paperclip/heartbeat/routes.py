"""/api heartbeat routes: wake-ups, runs, events, logs, cancellation, runtime state, scheduler."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Query, Request
from pydantic import BaseModel, ConfigDict

from paperclip.api.deps import DB, ActorDep, Now
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.auth.ids import path_uuid
from paperclip.feature_router import FeatureRouter
from paperclip.heartbeat import live_runs, service
from paperclip.heartbeat.runtime import run_log_store
from paperclip.heartbeat.shapes import event_to_wire, run_to_wire

router = FeatureRouter(tags=["heartbeat"])
RUN = service.RUN_NOT_FOUND
AGENT = service.AGENT_NOT_FOUND


class WakeupBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    source: Literal["timer", "assignment", "on_demand", "automation"] | None = None
    triggerDetail: Literal["manual", "ping", "callback", "system"] | None = None
    reason: str | None = None
    payload: dict[str, Any] | None = None
    idempotencyKey: str | None = None
    forceFreshSession: Any = None


class ResetSessionBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    taskKey: str | None = None


def _store(request: Request):
    return run_log_store(request)


@router.post("/agents/{agent_id}/wakeup", status_code=202)
@returns("Run | WakeSkipped | WakeDeferred")
async def wakeup(
    agent_id: str, request: Request, session: DB, actor: ActorDep, now: Now, body: WakeupBody | None = None
):
    body = body or WakeupBody()
    return await service.wake_agent(
        session,
        actor,
        path_uuid(agent_id, AGENT),
        source=body.source or "on_demand",
        trigger_detail=body.triggerDetail or "manual",
        reason=body.reason,
        payload=body.payload,
        idempotency_key=body.idempotencyKey,
        force_fresh_session=body.forceFreshSession is True,
        invoke=False,
        now=now,
        pool=request.app.state.read_pool,
    )


@router.post("/agents/{agent_id}/heartbeat/invoke", status_code=202)
@returns("Run | WakeSkipped | WakeDeferred")
async def invoke(agent_id: str, request: Request, session: DB, actor: ActorDep, now: Now):
    return await service.wake_agent(
        session,
        actor,
        path_uuid(agent_id, AGENT),
        source="on_demand",
        trigger_detail="manual",
        reason=None,
        payload=None,
        idempotency_key=None,
        force_fresh_session=False,
        invoke=True,
        now=now,
        pool=request.app.state.read_pool,
    )


@router.get("/companies/{company_id}/heartbeat-runs")
@returns("list[Run]")
async def list_runs(
    company_id: str,
    session: DB,
    actor: ActorDep,
    agentId: str | None = None,
    status: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    summary: bool = False,  # noqa: ARG001 (the original's lighter rows; ours are a superset)
):
    agent = path_uuid(agentId, AGENT) if agentId else None
    statuses = [s.strip() for s in status.split(",") if s.strip()] if status else None
    runs = await service.list_runs(
        session,
        actor,
        path_uuid(company_id, "Company not found"),
        agent_id=agent,
        statuses=statuses,
        limit=limit,
        offset=offset,
    )
    return [run_to_wire(r) for r in runs]


@router.get("/heartbeat-runs/{run_id}")
@returns("Run")
async def get_run(run_id: str, session: DB, actor: ActorDep):
    return run_to_wire(await service.visible_run(session, actor, path_uuid(run_id, RUN)))


@router.get("/heartbeat-runs/{run_id}/events")
@returns("list[RunEvent]")
async def get_events(
    run_id: str,
    session: DB,
    actor: ActorDep,
    afterSeq: int = Query(0, ge=0),
    limit: int = Query(200, ge=1, le=1000),
):
    events = await service.run_events(session, actor, path_uuid(run_id, RUN), after_seq=afterSeq, limit=limit)
    return [event_to_wire(e) for e in events]


@router.get("/heartbeat-runs/{run_id}/log")
@returns("RunLog")
async def get_log(
    run_id: str,
    request: Request,
    session: DB,
    actor: ActorDep,
    offset: int = Query(0, ge=0),
    limitBytes: int | None = Query(None, ge=1),
):
    return await service.run_log(
        session, actor, _store(request), path_uuid(run_id, RUN), offset=offset, limit_bytes=limitBytes
    )


@router.post("/heartbeat-runs/{run_id}/cancel")
@returns("Run")
async def cancel(run_id: str, session: DB, actor: ActorDep, now: Now):
    return run_to_wire(await service.cancel_run(session, actor, path_uuid(run_id, RUN), now))


@router.get("/heartbeat-runs/{run_id}/issues")
@returns("list[RunIssue]")
async def get_run_issues(run_id: str, session: DB, actor: ActorDep):
    return await service.run_issues(session, actor, path_uuid(run_id, RUN))


@router.get("/issues/{issue_id}/runs")
@returns("list[IssueRun]")
async def get_issue_runs(issue_id: str, session: DB, actor: ActorDep, page: PageDep):
    issue = path_uuid(issue_id, "Issue not found")
    return page.respond(await service.issue_runs(session, actor, issue, window=page.window))


@router.get("/issues/{issue_id}/live-runs")
@returns("list[IssueRun]")
async def get_issue_live_runs(issue_id: str, session: DB, actor: ActorDep):
    issue = await live_runs.issue_id_from_ref(session, issue_id)
    return await service.issue_runs(session, actor, issue, live_only=True)


@router.get("/issues/{issue_id}/active-run")
@returns("IssueRun | None")
async def get_issue_active_run(issue_id: str, session: DB, actor: ActorDep):
    return await service.issue_active_run(
        session, actor, await live_runs.issue_id_from_ref(session, issue_id)
    )


@router.get("/companies/{company_id}/live-runs")
@returns("list[LiveRun]")
async def get_company_live_runs(
    company_id: str,
    session: DB,
    actor: ActorDep,
    minCount: int = Query(0, ge=0, le=100),
    limit: int = Query(50, ge=1, le=200),
):
    return await live_runs.company_live_runs(
        session, actor, path_uuid(company_id, "Company not found"), min_count=minCount, limit=limit
    )


@router.get("/agents/{agent_id}/runtime-state")
@returns("RuntimeState")
async def get_runtime_state(agent_id: str, session: DB, actor: ActorDep, companyId: str | None = None):
    if companyId:  # the original's board client names the company it is looking at
        actor.require_company(path_uuid(companyId, "Company not found"))
    return await service.runtime_state(session, actor, path_uuid(agent_id, AGENT))


@router.get("/agents/{agent_id}/task-sessions")
@returns("list[TaskSession]")
async def get_task_sessions(agent_id: str, session: DB, actor: ActorDep, page: PageDep):
    return page.respond(await service.task_sessions(session, actor, path_uuid(agent_id, AGENT), page.window))


@router.post("/agents/{agent_id}/runtime-state/reset-session")
@returns("RuntimeState")
async def reset_session(
    agent_id: str, session: DB, actor: ActorDep, now: Now, body: ResetSessionBody | None = None
):
    return await service.reset_session(
        session, actor, path_uuid(agent_id, AGENT), (body or ResetSessionBody()).taskKey, now
    )


@router.get("/instance/scheduler-heartbeats")
@returns("list[SchedulerAgent]")
async def get_scheduler_heartbeats(session: DB, actor: ActorDep, page: PageDep):
    return page.respond(await service.scheduler_heartbeats(session, actor, page.window))


@router.get("/instance/scheduler-replicas")
@returns("list[SchedulerReplica]")
async def get_scheduler_replicas(session: DB, actor: ActorDep):
    return await service.scheduler_replicas(session, actor)
