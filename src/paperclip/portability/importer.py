"""Import: plan (what would be created, renamed, skipped or replaced) and apply, in ONE transaction.

The preview and the apply share `plan()`, so the dry run shows exactly what the apply does. The apply
writes through the request's session and never commits: any failure (a refused plan, a database error
on the last row) leaves the target exactly as it was. Imported agents always have timer heartbeats
off; recurring tasks become routines.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import actor_params, record
from paperclip.agents.schemas import AgentCreate
from paperclip.agents.service import insert_agent
from paperclip.auth.actor import Actor
from paperclip.companies.schemas import CompanyCreate
from paperclip.companies.service import create_company, get_company
from paperclip.config import Settings
from paperclip.costs.budgets import upsert_budget_policy
from paperclip.db.models import (
    Agent,
    Company,
    Goal,
    HeartbeatRun,
    Issue,
    IssueLabel,
    Label,
    Project,
)
from paperclip.errors import AppError, BadRequest, Conflict, Forbidden, Unprocessable
from paperclip.goals.schemas import GoalCreate
from paperclip.issues.schemas import PRIORITIES
from paperclip.portability import queries
from paperclip.portability.exporter import slugify
from paperclip.portability.package import (
    AgentSpec,
    EnvInput,
    Package,
    ProjectSpec,
    TaskSpec,
    check_files,
    parse,
)
from paperclip.portability.routines import check_routine, import_routines
from paperclip.projects.schemas import ProjectCreate
from paperclip.projects.service import create_project
from paperclip.secrets.schemas import SecretCreate
from paperclip.secrets.service import create_secret
from paperclip.vocabulary import ISSUE_STATUSES, PROJECT_STATUSES, RUN_LIVE

INCLUDE_KEYS = ("company", "agents", "projects", "issues", "skills")
COLLISIONS = ("rename", "skip", "replace")
RECURRING_REASON = "Recurring task will be imported as a routine."


@dataclass
class ImportRequest:
    files: Any
    root_path: str | None = None
    include: dict[str, bool] | None = None
    target_mode: str = "new_company"  # new_company | existing_company
    company_id: uuid.UUID | None = None
    new_company_name: str | None = None
    agents: str | list[str] = "all"
    collision: str = "rename"
    secret_values: dict[str, str] = field(default_factory=dict)
    safe: bool = False  # the /companies/{id}/imports/* routes: no replace


@dataclass
class Plan:
    request: ImportRequest
    package: Package
    include: dict[str, bool]
    company: Company | None
    company_action: str
    agent_plans: list[dict[str, Any]]
    project_plans: list[dict[str, Any]]
    issue_plans: list[dict[str, Any]]
    existing_agents: dict[str, Agent]
    existing_projects: dict[str, Project]
    warnings: list[str]
    errors: list[str]
    running: list[str] = field(default_factory=list)
    missing_secrets: list[str] = field(default_factory=list)

    def wire(self) -> dict[str, Any]:
        pkg = self.package
        return {
            "include": self.include,
            "targetCompanyId": str(self.company.id) if self.company else None,
            "targetCompanyName": self.company.name if self.company else None,
            "collisionStrategy": self.request.collision,
            "selectedAgentSlugs": [p["slug"] for p in self.agent_plans],
            "plan": {
                "companyAction": self.company_action,
                "agentPlans": self.agent_plans,
                "projectPlans": self.project_plans,
                "issuePlans": self.issue_plans,
            },
            "manifest": {
                "schemaVersion": pkg.schema_version,
                "company": {"path": "COMPANY.md", **pkg.company},
                "counts": {
                    "agents": len(pkg.agents),
                    "projects": len(pkg.projects),
                    "issues": len(pkg.tasks),
                    "goals": len(pkg.goals),
                    "skills": len(pkg.skills),
                },
            },
            "envInputs": [i.wire() for i in pkg.env_inputs],
            "warnings": self.warnings,
            "errors": self.errors,
        }


def _include(raw: dict[str, bool] | None) -> dict[str, bool]:
    if raw is None:
        return {k: True for k in INCLUDE_KEYS}
    return {k: bool(raw.get(k, False)) for k in INCLUDE_KEYS}


def _next_name(name: str, taken: set[str]) -> str:
    n = 2
    while f"{name} {n}".lower() in taken:
        n += 1
    return f"{name} {n}"


def _validation(path: str, exc: ValidationError) -> AppError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return Unprocessable(
        f"{path}: {where} {first.get('msg', 'is invalid')}".replace("  ", " "), {"file": path, "field": where}
    )


def _agent_body(spec: AgentSpec) -> AgentCreate:
    runtime = dict(spec.runtime_config)
    runtime["heartbeat"] = {**dict(runtime.get("heartbeat") or {}), "enabled": False}  # imported: timers off
    config = dict(spec.adapter_config)
    if spec.instructions:
        config["promptTemplate"] = spec.instructions
    try:
        return AgentCreate.model_validate(
            {
                "name": spec.name,
                "role": spec.role,
                "title": spec.title,
                "icon": spec.icon,
                "capabilities": spec.capabilities,
                "adapterType": spec.adapter_type,
                "adapterConfig": config,
                "runtimeConfig": runtime,
                "budgetMonthlyCents": spec.budget_monthly_cents,
                "permissions": spec.permissions,
                "metadata": spec.metadata,
            }
        )
    except ValidationError as exc:
        raise _validation(spec.path, exc) from None


def _check_values(pkg: Package) -> None:
    """Every value the database would refuse, refused here first, naming the file."""
    for project in pkg.projects:
        if project.status not in PROJECT_STATUSES:
            raise Unprocessable(
                f"{project.path}: status {project.status!r} is not one of "
                f"{', '.join(sorted(PROJECT_STATUSES))}",
                {"file": project.path, "field": "status"},
            )
    for task in pkg.tasks:
        if task.status not in ISSUE_STATUSES:
            raise Unprocessable(
                f"{task.path}: status {task.status!r} is not one of {', '.join(sorted(ISSUE_STATUSES))}",
                {"file": task.path, "field": "status"},
            )
        if task.priority not in PRIORITIES:
            raise Unprocessable(
                f"{task.path}: priority {task.priority!r} is not one of {', '.join(PRIORITIES)}",
                {"file": task.path, "field": "priority"},
            )
        if len(task.title) > 500 or not task.title.strip():
            raise Unprocessable(
                f"{task.path}: name must be 1 to 500 characters", {"file": task.path, "field": "name"}
            )
        for text_value in (task.title, task.description or ""):
            if "\x00" in text_value:
                raise Unprocessable(f"{task.path}: contains a NUL character", {"file": task.path})
    for goal in pkg.goals:
        try:
            GoalCreate.model_validate(
                {
                    "title": goal.title,
                    "description": goal.description,
                    "level": goal.level,
                    "status": goal.status,
                }
            )
        except ValidationError as exc:
            raise _validation(f".paperclip.yaml goals.{goal.slug}", exc) from None
    _no_cycles(
        {a.slug: a.reports_to for a in pkg.agents},
        "agents",
        "reportsTo",
        {a.slug: a.path for a in pkg.agents},
    )
    _no_cycles({t.slug: t.parent for t in pkg.tasks}, "tasks", "parent", {t.slug: t.path for t in pkg.tasks})


def _no_cycles(parent: dict[str, str | None], what: str, fld: str, paths: dict[str, str]) -> None:
    for start in parent:
        seen: set[str] = set()
        node: str | None = start
        while node is not None and node in parent:
            if node in seen:
                raise Unprocessable(
                    f"{paths[start]}: {fld} makes a cycle among {what}", {"file": paths[start], "field": fld}
                )
            seen.add(node)
            node = parent[node]


async def plan(session: AsyncSession, actor: Actor, req: ImportRequest) -> Plan:
    actor.require_board()
    if req.collision not in COLLISIONS:
        raise BadRequest(
            f"collisionStrategy must be one of {', '.join(COLLISIONS)}", {"field": "collisionStrategy"}
        )
    if req.safe and req.collision == "replace":
        raise Forbidden("Safe import route does not allow replace collision strategy")
    pkg = parse(check_files(req.files), req.root_path)
    _check_values(pkg)
    include = _include(req.include)
    warnings = list(pkg.warnings)
    errors: list[str] = []
    company, existing_agents, existing_projects = await _target(session, actor, req)
    company_action = (
        "create"
        if company is None
        else ("update" if include["company"] and req.collision == "replace" else "none")
    )
    if pkg.skills and include["skills"]:
        warnings.append(
            f"{len(pkg.skills)} skill(s) in the package are not imported: this server has no company "
            "skills library"
        )

    running: list[str] = []
    agent_plans = (
        await _plan_agents(session, pkg, req, existing_agents, running, errors) if include["agents"] else []
    )
    project_plans = _plan_projects(pkg, req, existing_projects) if include["projects"] else []

    issue_plans = (
        [
            {
                "slug": t.slug,
                "action": "create",
                "plannedTitle": t.title,
                "reason": RECURRING_REASON if t.recurring else None,
            }
            for t in pkg.tasks
        ]
        if include["issues"]
        else []
    )
    for task in pkg.tasks if include["issues"] else []:
        if task.recurring and any(t.get("kind") == "webhook" for t in check_routine(task)) and req.safe:
            errors.append(f"Safe import does not allow routine task {task.slug} webhook triggers.")

    planned_agents = {p["slug"]: p for p in agent_plans}
    planned_projects = {p["slug"]: p for p in project_plans}
    _check_refs(pkg, planned_agents, planned_projects, existing_agents, existing_projects, include, warnings)
    missing = _missing_secrets(pkg, planned_agents, planned_projects, req.secret_values)
    for text in missing:
        errors.append(f"Missing required secret input {text}: supply it in secretValues")
    return Plan(
        request=req,
        package=pkg,
        include=include,
        company=company,
        company_action=company_action,
        agent_plans=agent_plans,
        project_plans=project_plans,
        issue_plans=issue_plans,
        existing_agents=existing_agents,
        existing_projects=existing_projects,
        warnings=warnings,
        errors=errors,
        running=running,
        missing_secrets=missing,
    )


async def _plan_agents(
    session: AsyncSession,
    pkg: Package,
    req: ImportRequest,
    existing: dict[str, Agent],
    running: list[str],
    errors: list[str],
) -> list[dict[str, Any]]:
    wanted = None if req.agents == "all" else {s.lower() for s in req.agents}
    plans: list[dict[str, Any]] = []
    taken = {a.name.lower() for a in existing.values()}
    for spec in pkg.agents:
        if wanted is not None and spec.slug.lower() not in wanted:
            continue
        _agent_body(spec)  # refuses what agent creation would refuse, naming the file
        match = existing.get(spec.slug)
        entry = _collide(
            spec.slug,
            spec.name,
            match.id if match else None,
            match.name if match else "",
            req.collision,
            taken,
            "existingAgentId",
        )
        if match is not None and entry["action"] == "update" and await _is_running(session, match):
            running.append(match.name)
            errors.append(
                f"Agent {match.name} ({spec.slug}) is running; replace would change it mid-run. "
                "Wait for its run to end or pause it first."
            )
        plans.append(entry)
    return plans


def _plan_projects(pkg: Package, req: ImportRequest, existing: dict[str, Project]) -> list[dict[str, Any]]:
    taken = {p.name.lower() for p in existing.values()}
    plans = []
    for spec in pkg.projects:
        match = existing.get(spec.slug)
        plans.append(
            _collide(
                spec.slug,
                spec.name,
                match.id if match else None,
                match.name if match else "",
                req.collision,
                taken,
                "existingProjectId",
            )
        )
    return plans


def _collide(
    slug: str,
    name: str,
    existing_id: uuid.UUID | None,
    existing_name: str,
    collision: str,
    taken: set[str],
    id_key: str,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "slug": slug,
        "action": "create",
        "plannedName": name,
        id_key: str(existing_id) if existing_id else None,
        "reason": None,
    }
    if existing_id is not None:
        entry["reason"] = f"Existing slug matched; {collision} strategy."
        if collision == "rename":
            entry["plannedName"] = _next_name(name, taken)
        elif collision == "skip":
            entry["action"], entry["plannedName"] = "skip", existing_name
        else:
            entry["action"], entry["plannedName"] = "update", existing_name
    taken.add(entry["plannedName"].lower())
    return entry


async def _target(
    session: AsyncSession, actor: Actor, req: ImportRequest
) -> tuple[Company | None, dict[str, Agent], dict[str, Project]]:
    """The target company (locked for the import) and its agents and projects by slug."""
    agents: dict[str, Agent] = {}
    projects: dict[str, Project] = {}
    if req.target_mode == "new_company":
        return None, agents, projects
    if req.target_mode != "existing_company":
        raise BadRequest("target.mode must be new_company or existing_company", {"field": "target.mode"})
    if req.company_id is None:
        raise BadRequest("target.companyId is required for an existing_company import", {"field": "target"})
    company = await get_company(session, actor, req.company_id, for_update=True)
    for agent in await session.scalars(
        sa.select(Agent)
        .where(Agent.company_id == company.id, Agent.status != "terminated")
        .order_by(Agent.created_at, Agent.id)
    ):
        agents.setdefault(slugify(agent.name, "agent"), agent)
    for project in await session.scalars(
        sa.select(Project).where(Project.company_id == company.id).order_by(Project.created_at, Project.id)
    ):
        projects.setdefault(project.url_key or slugify(project.name, "project"), project)
    return company, agents, projects


async def _is_running(session: AsyncSession, agent: Agent) -> bool:
    if agent.status == "running":
        return True
    live = await session.scalar(
        sa.select(
            sa.exists().where(HeartbeatRun.agent_id == agent.id, HeartbeatRun.status.in_(sorted(RUN_LIVE)))
        )
    )
    return bool(live)


def _check_refs(
    pkg: Package,
    agents: dict,
    projects: dict,
    existing_agents: dict,
    existing_projects: dict,
    include: dict[str, bool],
    warnings: list[str],
) -> None:
    """A slug a file names must be in the package or the target; one the selection leaves out is dropped."""
    in_pkg_agents = {a.slug for a in pkg.agents}
    in_pkg_projects = {p.slug for p in pkg.projects}

    def check(
        slug: str | None,
        planned: dict,
        existing: dict,
        in_pkg: set,
        folder: str,
        fname: str,
        path: str,
        fld: str,
    ) -> None:
        if slug is None or slug in planned or slug in existing:
            return
        if slug in in_pkg:
            warnings.append(f"{path}: {fld} {slug!r} is not part of this import; left empty")
            return
        raise Unprocessable(
            f"{path}: {fld} {slug!r} refers to {folder}/{slug}/{fname}, which is neither in the "
            "package nor in the target company",
            {"file": path, "field": fld},
        )

    if include["agents"]:
        for a in pkg.agents:
            if a.slug in agents:
                check(
                    a.reports_to,
                    agents,
                    existing_agents,
                    in_pkg_agents,
                    "agents",
                    "AGENTS.md",
                    a.path,
                    "reportsTo",
                )
    if include["projects"]:
        for p in pkg.projects:
            check(p.lead, agents, existing_agents, in_pkg_agents, "agents", "AGENTS.md", p.path, "owner")
    if include["issues"]:
        for t in pkg.tasks:
            check(
                t.assignee, agents, existing_agents, in_pkg_agents, "agents", "AGENTS.md", t.path, "assignee"
            )
            check(
                t.project,
                projects,
                existing_projects,
                in_pkg_projects,
                "projects",
                "PROJECT.md",
                t.path,
                "project",
            )
    task_slugs = {t.slug for t in pkg.tasks}
    goal_slugs = {g.slug for g in pkg.goals}
    for t in pkg.tasks:
        if t.parent is not None and t.parent not in task_slugs:
            raise Unprocessable(
                f"{t.path}: parent {t.parent!r} refers to tasks/{t.parent}/TASK.md, which is not in "
                "the package",
                {"file": t.path, "field": "parent"},
            )
        if t.goal is not None and t.goal not in goal_slugs:
            warnings.append(f"{t.path}: goal {t.goal!r} is not declared in .paperclip.yaml; left empty")


def _missing_secrets(pkg: Package, agents: dict, projects: dict, values: dict[str, str]) -> list[str]:
    out = []
    for spec_input in pkg.env_inputs:
        owner_plan = (
            agents.get(spec_input.agent_slug)
            if spec_input.agent_slug
            else projects.get(spec_input.project_slug)
        )
        if owner_plan is None or owner_plan["action"] == "skip":
            continue
        if (
            spec_input.kind == "secret"
            and spec_input.requirement == "required"
            and not _secret_value(values, spec_input)
        ):
            owner = (
                f"agent {spec_input.agent_slug}"
                if spec_input.agent_slug
                else f"project {spec_input.project_slug}"
            )
            out.append(f"{spec_input.key} for {owner}")
    return out


def _secret_value(values: dict[str, str], item: EnvInput) -> str | None:
    owner = item.agent_slug or item.project_slug
    kind = "agent" if item.agent_slug else "project"
    # `agent:<slug>:<KEY>` is the original's key; `<slug>.<KEY>` and a bare `<KEY>` are accepted too
    return (
        values.get(f"{kind}:{owner}:{item.key}")
        or values.get(f"{owner}.{item.key}")
        or values.get(item.key)
        or None
    )


async def preview(session: AsyncSession, actor: Actor, req: ImportRequest) -> dict[str, Any]:
    return (await plan(session, actor, req)).wire()


async def apply(
    session: AsyncSession, actor: Actor, settings: Settings, req: ImportRequest, now: datetime
) -> dict[str, Any]:
    p = await plan(session, actor, req)
    if p.running:
        raise Conflict(p.errors[0], {"agents": p.running})
    if p.missing_secrets:
        raise Unprocessable(
            f"Missing required secret input(s): {', '.join(p.missing_secrets)}",
            {"missingInputs": p.missing_secrets},
        )
    if p.errors:
        raise Unprocessable(p.errors[0], {"errors": p.errors})
    stage = ["company"]
    try:
        return await _apply(session, actor, settings, p, now, stage)
    except DBAPIError as exc:
        # A statement failed mid-import: the request's transaction is rolled back, nothing was imported.
        cause = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise Unprocessable(
            f"Import failed while writing {stage[-1]}, nothing was imported: {cause}", {"stage": stage[-1]}
        ) from None


async def _apply(
    session: AsyncSession, actor: Actor, settings: Settings, p: Plan, now: datetime, stage: list[str]
) -> dict[str, Any]:
    pkg, req = p.package, p.request
    strict = settings.secrets.strict_mode
    if p.company is None:
        company_body: dict[str, Any] = {
            "name": req.new_company_name or pkg.company["name"],
            "description": pkg.company.get("description"),
        }
        for key in ("budgetMonthlyCents", "requireBoardApprovalForNewAgents", "brandColor"):
            if key in pkg.company:
                company_body[key] = pkg.company[key]
        try:
            company = await create_company(session, actor, CompanyCreate.model_validate(company_body), now)
        except ValidationError as exc:
            raise _validation("COMPANY.md", exc) from None
        actor = dataclasses.replace(actor, company_ids=actor.company_ids | {company.id})
        company_result = {"id": str(company.id), "name": company.name, "action": "created"}
    else:
        company = p.company
        if p.company_action == "update":
            company.description = pkg.company.get("description")
            company.updated_at = now
            await record(
                session,
                actor,
                company_id=company.id,
                action="company.updated",
                entity_type="company",
                entity_id=company.id,
                details={"source": "import"},
            )
        company_result = {
            "id": str(company.id),
            "name": company.name,
            "action": "updated" if p.company_action == "update" else "unchanged",
        }
    cid = company.id

    stage.append("goals")
    goal_ids = await _import_goals(session, actor, pkg, cid, p.include, now)

    stage.append("agents")
    agent_ids: dict[str, uuid.UUID] = {slug: a.id for slug, a in p.existing_agents.items()}
    agent_results = []
    specs = {a.slug: a for a in pkg.agents}
    for entry in p.agent_plans:
        spec = specs[entry["slug"]]
        if entry["action"] == "skip":
            agent_results.append(
                {
                    "slug": spec.slug,
                    "id": entry["existingAgentId"],
                    "action": "skipped",
                    "name": entry["plannedName"],
                    "reason": entry["reason"],
                }
            )
            continue
        body = _agent_body(spec)
        env = await _bind_env(
            session, actor, settings, cid, spec.inputs, req.secret_values, "agent", spec.slug, now, p.warnings
        )
        config = dict(body.adapterConfig)
        if env:
            config["env"] = env
        body = body.model_copy(update={"adapterConfig": config, "name": entry["plannedName"]})
        if entry["action"] == "update":
            agent = p.existing_agents[spec.slug]
            await _replace_agent(session, actor, agent, body, now, strict)
            action = "updated"
        else:
            agent = await insert_agent(
                session, actor, cid, body, status="idle", now=now, strict_secrets=strict
            )
            action = "created"
        agent_ids[spec.slug] = agent.id
        agent_results.append(
            {
                "slug": spec.slug,
                "id": str(agent.id),
                "action": action,
                "name": agent.name,
                "reason": entry["reason"],
            }
        )
    for entry in p.agent_plans:  # managers after everyone exists
        spec = specs[entry["slug"]]
        if entry["action"] != "skip":
            manager = agent_ids.get(spec.reports_to) if spec.reports_to else None
            await session.execute(
                sa.update(Agent).where(Agent.id == agent_ids[spec.slug]).values(reports_to=manager)
            )

    stage.append("projects")
    project_ids: dict[str, uuid.UUID] = {slug: pr.id for slug, pr in p.existing_projects.items()}
    project_results = []
    pspecs = {pr.slug: pr for pr in pkg.projects}
    for entry in p.project_plans:
        pspec = pspecs[entry["slug"]]
        if entry["action"] == "skip":
            project_results.append(
                {
                    "slug": pspec.slug,
                    "id": entry["existingProjectId"],
                    "action": "skipped",
                    "name": entry["plannedName"],
                    "reason": entry["reason"],
                }
            )
            continue
        project = await _write_project(
            session,
            actor,
            settings,
            cid,
            pspec,
            entry,
            agent_ids,
            goal_ids,
            p.existing_projects.get(pspec.slug) if entry["action"] == "update" else None,
            req.secret_values,
            now,
            p.warnings,
        )
        project_ids[pspec.slug] = project.id
        project_results.append(
            {
                "slug": pspec.slug,
                "id": str(project.id),
                "action": "updated" if entry["action"] == "update" else "created",
                "name": project.name,
                "reason": entry["reason"],
            }
        )

    stage.append("tasks")
    issue_results: list[dict[str, Any]] = []
    routine_results: list[dict[str, Any]] = []
    if p.include["issues"]:
        issue_results, routine_results = await _import_tasks(
            session, actor, settings, cid, pkg.tasks, agent_ids, project_ids, goal_ids, now, p.warnings
        )
    await record(
        session,
        actor,
        company_id=cid,
        action="company.imported",
        entity_type="company",
        entity_id=cid,
        details={
            "agents": len(agent_results),
            "projects": len(project_results),
            "issues": len(issue_results),
            "routines": len(routine_results),
            "collisionStrategy": req.collision,
        },
    )
    return {
        "company": company_result,
        "agents": agent_results,
        "skills": [],
        "projects": project_results,
        "issues": issue_results,
        "routines": routine_results,
        "envInputs": [i.wire() for i in pkg.env_inputs],
        "warnings": p.warnings,
    }


async def _bind_env(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    cid: uuid.UUID,
    inputs: list[EnvInput],
    values: dict[str, str],
    owner: str,
    slug: str,
    now: datetime,
    warnings: list[str],
) -> dict[str, Any]:
    env: dict[str, Any] = {}
    for item in inputs:
        if item.kind == "plain":
            if item.default:
                env[item.key] = {"type": "plain", "value": item.default}
            continue
        value = _secret_value(values, item)
        if not value:
            warnings.append(
                f"{owner.capitalize()} {slug}: optional secret input {item.key} not supplied; not bound"
            )
            continue
        name = f"Imported {owner} {slug} {item.key}"
        taken = {row["name"] for row in await queries.SECRET_NAMES_LIKE.fetch(session, c=cid, n=name + "%")}
        final, n = name, 2
        while final in taken:
            final, n = f"{name} {n}", n + 1
        secret = await create_secret(
            session,
            actor,
            settings,
            cid,
            SecretCreate(name=final, value=value, description=item.description),
            now,
        )
        env[item.key] = {"type": "secret_ref", "secretId": str(secret.id), "version": "latest"}
    return env


async def _replace_agent(
    session: AsyncSession, actor: Actor, agent: Agent, body: AgentCreate, now: datetime, strict: bool
) -> None:
    from paperclip.secrets.bindings import normalize_adapter_config

    agent.role, agent.title, agent.icon = body.role, body.title, body.icon
    agent.capabilities, agent.adapter_type = body.capabilities, body.adapterType
    agent.adapter_config = (
        await normalize_adapter_config(session, agent.company_id, body.adapterConfig, strict=strict) or {}
    )
    agent.runtime_config = body.runtimeConfig or {}
    if body.permissions is not None:
        agent.permissions = body.permissions
    budget_changed = agent.budget_monthly_cents != body.budgetMonthlyCents
    agent.budget_monthly_cents = body.budgetMonthlyCents
    agent.updated_at = now
    await session.flush()
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action="agent.updated",
        entity_type="agent",
        entity_id=agent.id,
        details={"source": "import", "name": agent.name},
    )
    if budget_changed:
        await upsert_budget_policy(
            session,
            actor,
            agent.company_id,
            "agent",
            agent.id,
            body.budgetMonthlyCents,
            now=now,
            evaluate=False,
        )


async def _import_goals(
    session: AsyncSession, actor: Actor, pkg: Package, cid: uuid.UUID, include: dict[str, bool], now: datetime
) -> dict[str, uuid.UUID]:
    if not pkg.goals or not (include["company"] or include["projects"] or include["issues"]):
        return {}
    existing = {
        title.lower(): gid
        for gid, title in await session.execute(sa.select(Goal.id, Goal.title).where(Goal.company_id == cid))
    }
    ids: dict[str, uuid.UUID] = {}
    created: list[Goal] = []
    for g in pkg.goals:
        if g.title.lower() in existing:
            ids[g.slug] = existing[g.title.lower()]
            continue
        goal = Goal(
            id=uuid.uuid4(),
            company_id=cid,
            title=g.title,
            description=g.description,
            level=g.level,
            status=g.status,
            created_at=now,
            updated_at=now,
        )
        ids[g.slug] = goal.id
        created.append(goal)
        session.add(goal)
    await session.flush()
    by_slug = {g.slug: g for g in pkg.goals}
    for goal in created:
        spec = next(s for s in pkg.goals if ids[s.slug] == goal.id)
        parent = by_slug[spec.slug].parent
        goal.parent_id = ids.get(parent) if parent else None
        await record(
            session,
            actor,
            company_id=cid,
            action="goal.created",
            entity_type="goal",
            entity_id=goal.id,
            details={"title": goal.title},
        )
    await session.flush()
    return ids


async def _write_project(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    cid: uuid.UUID,
    spec: ProjectSpec,
    entry: dict,
    agent_ids: dict,
    goal_ids: dict,
    existing: Project | None,
    values: dict[str, str],
    now: datetime,
    warnings: list[str],
) -> Project:
    env = await _bind_env(
        session, actor, settings, cid, spec.inputs, values, "project", spec.slug, now, warnings
    )
    goals = [str(goal_ids[g]) for g in spec.goals if g in goal_ids]
    data = {
        "name": entry["plannedName"],
        "description": spec.description,
        "status": spec.status,
        "leadAgentId": str(agent_ids[spec.lead]) if spec.lead in agent_ids else None,
        "targetDate": spec.target_date,
        "color": spec.color,
        "icon": spec.icon,
        "goalIds": goals or None,
        "env": env or None,
    }
    try:
        body = ProjectCreate.model_validate(data)
    except ValidationError as exc:
        raise _validation(spec.path, exc) from None
    if existing is None:
        return await create_project(
            session, actor, cid, body, now, strict_secrets=settings.secrets.strict_mode
        )
    existing.description, existing.status = body.description, body.status
    existing.lead_agent_id, existing.target_date = body.leadAgentId, body.targetDate
    existing.color, existing.icon, existing.updated_at = body.color, body.icon, now
    if env:
        existing.env = env
    await session.flush()
    await record(
        session,
        actor,
        company_id=cid,
        action="project.updated",
        entity_type="project",
        entity_id=existing.id,
        details={"source": "import", "name": existing.name},
    )
    return existing


def _parent_first(tasks: list[TaskSpec]) -> list[TaskSpec]:
    by_slug = {t.slug: t for t in tasks}
    out: list[TaskSpec] = []
    done: set[str] = set()
    for task in tasks:
        chain = []
        node: TaskSpec | None = task
        while node is not None and node.slug not in done:
            chain.append(node)
            node = by_slug.get(node.parent) if node.parent else None
        for item in reversed(chain):
            done.add(item.slug)
            out.append(item)
    return out


async def _import_tasks(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    cid: uuid.UUID,
    tasks: list[TaskSpec],
    agent_ids: dict,
    project_ids: dict,
    goal_ids: dict,
    now: datetime,
    warnings: list[str],
) -> tuple[list[dict], list[dict]]:
    plain = [t for t in _parent_first(tasks) if not t.recurring]
    recurring = [t for t in tasks if t.recurring]
    results: list[dict] = []
    if plain:
        row = await queries.TAKE_ISSUE_NUMBERS.fetchrow(session, n=len(plain), c=cid)
        assert row is not None  # the company being imported into exists
        first = row["issue_counter"] - len(plain) + 1
        ids = {t.slug: uuid.uuid4() for t in plain}
        rows = []
        for n, t in enumerate(plain):
            stamps = {
                k: _ts(t.timestamps.get(k))
                for k in ("createdAt", "updatedAt", "startedAt", "completedAt", "cancelledAt")
            }
            number = first + n
            rows.append(
                {
                    "id": ids[t.slug],
                    "company_id": cid,
                    "project_id": project_ids.get(t.project) if t.project else None,
                    "goal_id": goal_ids.get(t.goal) if t.goal else None,
                    "parent_id": ids.get(t.parent) if t.parent else None,
                    "title": t.title,
                    "description": t.description,
                    "status": t.status,
                    "priority": t.priority,
                    "assignee_agent_id": agent_ids.get(t.assignee) if t.assignee else None,
                    "created_by_agent_id": actor.agent_id,
                    "created_by_user_id": actor.user_id if actor.is_board else None,
                    "issue_number": number,
                    "identifier": f"{row['issue_prefix']}-{number}",
                    "origin_kind": "manual",
                    "billing_code": t.billing_code,
                    "request_depth": 0,
                    "started_at": stamps["startedAt"],
                    "completed_at": stamps["completedAt"],
                    "cancelled_at": stamps["cancelledAt"],
                    "created_at": stamps["createdAt"] or now,
                    "updated_at": stamps["updatedAt"] or stamps["createdAt"] or now,
                }
            )
        await session.execute(sa.insert(Issue), rows)
        await queries.RECORD_IMPORTED_ISSUES.execute(session, **actor_params(actor), ids=list(ids.values()))
        await _import_labels(session, cid, plain, ids, now)
        results = [
            {"slug": t.slug, "id": str(ids[t.slug]), "identifier": r["identifier"], "action": "created"}
            for t, r in zip(plain, rows, strict=True)
        ]
    routines = (
        await import_routines(
            session, actor, settings, cid, recurring, agent_ids, project_ids, goal_ids, now, warnings
        )
        if recurring
        else []
    )
    return results, routines


def _ts(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


async def _import_labels(
    session: AsyncSession, cid: uuid.UUID, tasks: list[TaskSpec], ids: dict[str, uuid.UUID], now: datetime
) -> None:
    names = sorted({name for t in tasks for name in t.labels})
    if not names:
        return
    existing = {
        n: i
        for i, n in await session.execute(
            sa.select(Label.id, Label.name).where(Label.company_id == cid, Label.name.in_(names))
        )
    }
    for name in names:
        if name not in existing:
            existing[name] = uuid.uuid4()
            session.add(Label(id=existing[name], company_id=cid, name=name, created_at=now, updated_at=now))
    await session.flush()
    links = [
        {"issue_id": ids[t.slug], "label_id": existing[n], "company_id": cid, "created_at": now}
        for t in tasks
        for n in dict.fromkeys(t.labels)
    ]
    if links:
        await session.execute(sa.insert(IssueLabel), links)
