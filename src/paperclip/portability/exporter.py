"""Export: a company as the original's markdown-first package, `{path: text}`.

Never in a package: secret values (a binding becomes a declared input the importer fills), machine-local
paths (cwd, command, instruction file paths, any absolute path in the adapter config) and database ids
(everything refers to everything else by slug). Output is deterministic: slugs sorted, keys in a fixed
order, no export date in any file, so two exports of an unchanged company are byte-identical.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.companies.service import get_company
from paperclip.db.models import Agent, Company, Goal, Issue, IssueLabel, Label, Project, ProjectGoal
from paperclip.errors import BadRequest
from paperclip.portability.package import EXTENSION_PATH, PLACEHOLDER_INSTRUCTIONS
from paperclip.portability.routines import export_routines
from paperclip.portability.yamltext import dump, render_markdown
from paperclip.secrets.bindings import is_sensitive_key
from paperclip.wire import iso

SCHEMA_VERSION = 7
INCLUDE_KEYS = ("company", "agents", "projects", "issues", "skills")
DEFAULT_INCLUDE = {"company": True, "agents": True, "projects": False, "issues": False, "skills": False}
# Adapter config keys that only make sense on the machine that wrote them.
MACHINE_LOCAL_KEYS = (
    "command",
    "cwd",
    "instructionsFilePath",
    "instructionsRootPath",
    "instructionsEntryFile",
    "instructionsBundleMode",
    "workspaceDir",
    "paperclipSkillSync",
    "agentHome",
)
_ABSOLUTE = re.compile(r"^(/|~[/\\]|[A-Za-z]:[/\\])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str) -> str:
    return _NON_ALNUM.sub("-", text.lower()).strip("-")[:80].strip("-") or fallback


def unique_slugs(names: list[tuple[Any, str]], fallback: str) -> dict[Any, str]:
    """Stable slugs for (key, name) pairs given in a stable order: `name`, `name-2`, ..."""
    taken: set[str] = set()
    out = {}
    for key, name in names:
        base = slugify(name, fallback)
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        out[key] = slug
    return out


@dataclass
class ExportOptions:
    include: dict[str, bool] = field(default_factory=lambda: dict(DEFAULT_INCLUDE))
    agents: list[str] | None = None
    projects: list[str] | None = None
    issues: list[str] | None = None
    project_issues: list[str] | None = None


def _is_local_path(value: Any) -> bool:
    return isinstance(value, str) and bool(_ABSOLUTE.match(value))


def portable_adapter_config(slug: str, config: dict[str, Any], warnings: list[str]) -> tuple[dict, str, dict]:
    """(config without machine-local keys, env and the prompt; the prompt; the env bindings)."""
    out: dict[str, Any] = {}
    for key in sorted(config):
        value = config[key]
        if key in ("env", "promptTemplate"):
            continue
        if (
            key in MACHINE_LOCAL_KEYS
            or _is_local_path(value)
            or (isinstance(value, list) and any(_is_local_path(v) for v in value))
        ):
            if key not in ("paperclipSkillSync", "instructionsBundleMode", "instructionsEntryFile"):
                warnings.append(f"Agent {slug} {key} was omitted from export because it is system-dependent.")
            continue
        out[key] = value
    prompt = config.get("promptTemplate")
    raw_env = config.get("env")
    env: dict[str, Any] = raw_env if isinstance(raw_env, dict) else {}
    return out, prompt if isinstance(prompt, str) else "", env


def env_inputs(env: dict[str, Any], owner: str, owner_slug: str, warnings: list[str]) -> dict[str, Any]:
    """Bindings as declared inputs: a secret reference (or a plain value under a secret-looking name) is a
    required secret input with no value; other plain values travel as optional defaults."""
    inputs: dict[str, Any] = {}
    for key in sorted(env):
        binding = env[key]
        if isinstance(binding, str):
            binding = {"type": "plain", "value": binding}
        if not isinstance(binding, dict):
            continue
        plain = binding.get("type") == "plain"
        if plain and not is_sensitive_key(key):
            inputs[key] = {
                "description": f"Optional default for {key} on {owner} {owner_slug}",
                "kind": "plain",
                "default": str(binding.get("value") or ""),
                "requirement": "optional",
            }
            continue
        if plain:
            warnings.append(
                f"{owner.capitalize()} {owner_slug} env {key} holds a plain value under a secret-looking "
                "name; exported as a secret input without its value."
            )
        inputs[key] = {
            "description": f"Provide {key} for {owner} {owner_slug}",
            "kind": "secret",
            "default": "",
            "requirement": "required",
        }
    return inputs


def _portable_runtime(runtime: dict[str, Any] | None) -> dict[str, Any]:
    runtime = dict(runtime or {})
    heartbeat = dict(runtime.get("heartbeat") or {})
    if heartbeat.get("enabled") is False:
        heartbeat.pop("enabled")
    if heartbeat.get("maxConcurrentRuns") == 20:
        heartbeat.pop("maxConcurrentRuns")
    if heartbeat:
        runtime["heartbeat"] = heartbeat
    else:
        runtime.pop("heartbeat", None)
    return runtime


def _pick(rows: list, wanted: list[str] | None, keys) -> list:
    if not wanted:
        return rows
    want = {w.lower() for w in wanted}
    return [r for r in rows if any(str(k).lower() in want for k in keys(r))]


async def export_company(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, options: ExportOptions, now: datetime
) -> dict[str, Any]:
    actor.require_authenticated()
    company = await get_company(session, actor, company_id)
    include = {k: bool(options.include.get(k, False)) for k in INCLUDE_KEYS}
    if not any(include.values()):
        raise BadRequest(
            "Nothing to export: include at least one of company, agents, projects, issues, skills"
        )
    warnings: list[str] = []

    agents = list(
        await session.scalars(
            sa.select(Agent)
            .where(Agent.company_id == company_id, Agent.status != "terminated")
            .order_by(Agent.created_at, Agent.id)
        )
    )
    agent_slug = unique_slugs([(a.id, a.name) for a in agents], "agent")
    projects = list(
        await session.scalars(
            sa.select(Project)
            .where(Project.company_id == company_id)
            .order_by(Project.created_at, Project.id)
        )
    )
    project_slug = {p.id: p.url_key or slugify(p.name, "project") for p in projects}
    goals = list(
        await session.scalars(
            sa.select(Goal).where(Goal.company_id == company_id).order_by(Goal.created_at, Goal.id)
        )
    )
    goal_slug = unique_slugs([(g.id, g.title) for g in goals], "goal")

    files: dict[str, str] = {}
    ext: dict[str, Any] = {"schema": "paperclip/v1"}
    company_slug = slugify(company.name, "company")
    exported_agents = _pick(agents, options.agents, lambda a: (agent_slug[a.id], a.name, str(a.id)))
    exported_projects = _pick(projects, options.projects, lambda p: (project_slug[p.id], p.name, str(p.id)))

    files["COMPANY.md"] = render_markdown(
        _compact(
            {
                "name": company.name,
                "description": company.description,
                "schema": "agentcompanies/v1",
                "slug": company_slug,
            }
        ),
        "",
    )
    if include["company"]:
        settings = _compact(
            {
                "brandColor": company.brand_color,
                "budgetMonthlyCents": company.budget_monthly_cents or None,
                "requireBoardApprovalForNewAgents": company.require_board_approval_for_new_agents or None,
            }
        )
        if settings:
            ext["company"] = settings

    if include["agents"]:
        ext_agents = _export_agents(exported_agents, agent_slug, files, warnings)
        if ext_agents:
            ext["agents"] = ext_agents

    goal_links: dict[uuid.UUID, list[uuid.UUID]] = {}
    if include["projects"] or include["issues"] or include["company"]:
        for pid, gid in await session.execute(
            sa.select(ProjectGoal.project_id, ProjectGoal.goal_id)
            .where(ProjectGoal.company_id == company_id)
            .order_by(ProjectGoal.created_at, ProjectGoal.goal_id)
        ):
            goal_links.setdefault(pid, []).append(gid)
        if goals:
            ext["goals"] = {
                goal_slug[g.id]: _compact(
                    {
                        "title": g.title,
                        "description": g.description,
                        "level": g.level,
                        "status": g.status,
                        "parent": goal_slug.get(g.parent_id) if g.parent_id else None,
                        "owner": agent_slug.get(g.owner_agent_id) if g.owner_agent_id else None,
                    }
                )
                for g in goals
            }
            ext["goals"] = dict(sorted(ext["goals"].items()))

    if include["projects"]:
        ext_projects = {}
        for project in sorted(exported_projects, key=lambda p: project_slug[p.id]):
            slug = project_slug[project.id]
            lead = agent_slug.get(project.lead_agent_id) if project.lead_agent_id else None
            files[f"projects/{slug}/PROJECT.md"] = render_markdown(
                _compact({"name": project.name, "description": project.description, "owner": lead}),
                project.description or "",
            )
            linked = goal_links.get(project.id) or ([project.goal_id] if project.goal_id else [])
            ext_projects[slug] = _compact(
                {
                    "color": project.color,
                    "icon": project.icon,
                    "leadAgentSlug": lead,
                    "status": project.status,
                    "targetDate": project.target_date.isoformat() if project.target_date else None,
                    "goals": [goal_slug[g] for g in linked if g in goal_slug] or None,
                    "inputs": {"env": env_inputs(project.env, "project", slug, warnings)}
                    if project.env
                    else None,
                }
            )
        if ext_projects:
            ext["projects"] = ext_projects

    task_count = 0
    if include["issues"]:
        task_count = await _export_issues(
            session, company_id, options, files, ext, agent_slug, project_slug, goal_slug, projects
        )
        if not (options.issues or options.project_issues):
            taken = {path.split("/")[1] for path in files if path.startswith("tasks/")}
            task_count += await export_routines(
                session, company_id, files, ext, taken, agent_slug, project_slug, goal_slug
            )
    ext["schemaVersion"] = SCHEMA_VERSION
    sidebar = {
        "agents": sorted(agent_slug[a.id] for a in exported_agents) if include["agents"] else [],
        "projects": sorted(project_slug[p.id] for p in exported_projects) if include["projects"] else [],
    }
    if sidebar["agents"] or sidebar["projects"]:
        ext["sidebar"] = _compact(sidebar)
    ordered = {"schema": ext.pop("schema"), **dict(sorted(ext.items()))}
    files[EXTENSION_PATH] = dump(ordered)
    files["README.md"] = _readme(
        company,
        exported_agents if include["agents"] else [],
        agent_slug,
        exported_projects if include["projects"] else [],
        task_count,
    )
    files = dict(sorted(files.items()))
    return {
        "rootPath": company_slug,
        "files": files,
        "warnings": warnings,
        "paperclipExtensionPath": EXTENSION_PATH,
        "manifest": {
            "schemaVersion": SCHEMA_VERSION,
            "generatedAt": iso(now),
            "source": {"companyId": str(company.id), "companyName": company.name},
            "includes": include,
            "counts": {
                "agents": len(exported_agents) if include["agents"] else 0,
                "projects": len(exported_projects) if include["projects"] else 0,
                "issues": task_count,
                "skills": 0,
            },
        },
    }


def _export_agents(
    agents: list[Agent], agent_slug: dict, files: dict[str, str], warnings: list[str]
) -> dict[str, Any]:
    ext_agents = {}
    for agent in sorted(agents, key=lambda a: agent_slug[a.id]):
        slug = agent_slug[agent.id]
        config, prompt, env = portable_adapter_config(slug, agent.adapter_config or {}, warnings)
        front = _compact(
            {
                "name": agent.name,
                "title": agent.title,
                "reportsTo": agent_slug.get(agent.reports_to) if agent.reports_to else None,
            }
        )
        files[f"agents/{slug}/AGENTS.md"] = render_markdown(front, prompt or PLACEHOLDER_INSTRUCTIONS)
        ext_agents[slug] = _compact(
            {
                "role": agent.role,
                "capabilities": agent.capabilities,
                "icon": agent.icon,
                "adapter": {"config": config, "type": agent.adapter_type},
                "runtime": _portable_runtime(agent.runtime_config) or None,
                "permissions": agent.permissions or None,
                "budgetMonthlyCents": agent.budget_monthly_cents or None,
                "inputs": {"env": env_inputs(env, "agent", slug, warnings)} if env else None,
            }
        )
    return ext_agents


async def _export_issues(
    session: AsyncSession,
    company_id: uuid.UUID,
    options: ExportOptions,
    files: dict[str, str],
    ext: dict[str, Any],
    agent_slug: dict,
    project_slug: dict,
    goal_slug: dict,
    projects: list[Project],
) -> int:
    rows = (
        await session.execute(
            sa.select(
                Issue.id,
                Issue.identifier,
                Issue.title,
                Issue.description,
                Issue.status,
                Issue.priority,
                Issue.project_id,
                Issue.goal_id,
                Issue.parent_id,
                Issue.assignee_agent_id,
                Issue.billing_code,
                Issue.created_at,
                Issue.updated_at,
                Issue.started_at,
                Issue.completed_at,
                Issue.cancelled_at,
            )
            .where(Issue.company_id == company_id, Issue.hidden_at.is_(None))
            .order_by(Issue.issue_number)
        )
    ).all()
    if options.issues or options.project_issues:
        wanted = {w.lower() for w in options.issues or []}
        wanted_projects = (
            {
                str(p.id)
                for p in _pick(
                    projects, options.project_issues, lambda p: (project_slug[p.id], p.name, str(p.id))
                )
            }
            if options.project_issues
            else set()
        )
        rows = [
            r
            for r in rows
            if r.identifier.lower() in wanted or str(r.id) in wanted or str(r.project_id) in wanted_projects
        ]
    labels: dict[uuid.UUID, list[str]] = {}
    for issue_id, name in await session.execute(
        sa.select(IssueLabel.issue_id, Label.name)
        .join(Label, Label.id == IssueLabel.label_id)
        .where(IssueLabel.company_id == company_id)
        .order_by(Label.name)
    ):
        labels.setdefault(issue_id, []).append(name)
    slug_of = {r.id: r.identifier.lower() for r in rows}
    ext_tasks = {}
    for r in rows:
        slug = slug_of[r.id]
        files[f"tasks/{slug}/TASK.md"] = render_markdown(
            _compact(
                {
                    "name": r.title,
                    "project": project_slug.get(r.project_id) if r.project_id else None,
                    "assignee": agent_slug.get(r.assignee_agent_id) if r.assignee_agent_id else None,
                }
            ),
            r.description or "",
        )
        ext_tasks[slug] = _compact(
            {
                "billingCode": r.billing_code,
                "cancelledAt": iso(r.cancelled_at),
                "completedAt": iso(r.completed_at),
                "createdAt": iso(r.created_at),
                "goal": goal_slug.get(r.goal_id) if r.goal_id else None,
                "identifier": r.identifier,
                "labels": labels.get(r.id) or None,
                "parent": slug_of.get(r.parent_id) if r.parent_id else None,
                "priority": r.priority,
                "startedAt": iso(r.started_at),
                "status": r.status,
                "updatedAt": iso(r.updated_at),
            }
        )
    if ext_tasks:
        ext["tasks"] = dict(sorted(ext_tasks.items()))
    return len(rows)


def _compact(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v is not None}


def _readme(
    company: Company, agents: list[Agent], agent_slug: dict, projects: list[Project], tasks: int
) -> str:
    lines = [f"# {company.name}", ""]
    if company.description:
        lines += [f"> {company.description}", ""]
    lines += ["## What's Inside", "", "| Content | Count |", "|---------|-------|"]
    for label, count in (("Agents", len(agents)), ("Projects", len(projects)), ("Tasks", tasks)):
        if count:
            lines.append(f"| {label} | {count} |")
    if agents:
        lines += ["", "### Agents", "", "| Agent | Role | Reports To |", "|-------|------|------------|"]
        for a in sorted(agents, key=lambda a: agent_slug[a.id]):
            boss = agent_slug.get(a.reports_to) if a.reports_to else None
            lines.append(f"| {a.name} | {a.role} | {boss or '—'} |")
    if projects:
        lines += ["", "### Projects", ""]
        for p in sorted(projects, key=lambda p: p.name):
            lines.append(f"- **{p.name}**" + (f" — {p.description}" if p.description else ""))
    lines += ["", "## Getting Started", "", "```bash", "paperclipai company import <this folder>", "```", ""]
    return "\n".join(lines)
