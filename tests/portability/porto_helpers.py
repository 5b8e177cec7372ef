"""Helpers for portability tests: a company with agents (an env binding to a secret), goals, a project,
issues and a routine, made with the shared factories (tests/factories.py); what a round trip keeps;
packages read into the inline form the import routes take."""

from __future__ import annotations

from pathlib import Path

from paperclip.portability.exporter import MACHINE_LOCAL_KEYS

SECRET_VALUE = "sk-portability-test-value-123"


def read_package(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".png"
    }


def normalized(
    company: dict, agents: list, projects: list, issues: list, goals: list, routines: list | None = None
) -> dict:
    """A company's content without ids, numbers or timestamps of the import itself: what a round trip keeps."""
    agent_name = {a["id"]: a["name"] for a in agents}
    project_name = {p["id"]: p["name"] for p in projects}
    goal_title = {g["id"]: g["title"] for g in goals}
    issue_title = {i["id"]: i["title"] for i in issues}
    return {
        "company": {k: company[k] for k in ("name", "description")},
        "agents": sorted(
            (
                {
                    "name": a["name"],
                    "role": a["role"],
                    "title": a["title"],
                    "capabilities": a["capabilities"],
                    "reportsTo": agent_name.get(a["reportsTo"]),
                    "adapterType": a["adapterType"],
                    "adapterConfig": {
                        k: v
                        for k, v in a["adapterConfig"].items()
                        if k != "env" and k not in MACHINE_LOCAL_KEYS
                    },
                    "envKeys": sorted((a["adapterConfig"].get("env") or {})),
                    "budgetMonthlyCents": a["budgetMonthlyCents"],
                    "permissions": a["permissions"],
                }
                for a in agents
            ),
            key=lambda a: a["name"],
        ),
        "projects": sorted(
            (
                {
                    "name": p["name"],
                    "description": p["description"],
                    "status": p["status"],
                    "color": p["color"],
                    "targetDate": p["targetDate"],
                    "lead": agent_name.get(p["leadAgentId"]),
                    "goals": sorted(goal_title[g] for g in p.get("goalIds") or []),
                }
                for p in projects
            ),
            key=lambda p: p["name"],
        ),
        "goals": sorted(
            (
                {
                    "title": g["title"],
                    "description": g["description"],
                    "level": g["level"],
                    "status": g["status"],
                }
                for g in goals
            ),
            key=lambda g: g["title"],
        ),
        "issues": sorted(
            (
                {
                    "title": i["title"],
                    "description": i["description"],
                    "status": i["status"],
                    "priority": i["priority"],
                    "project": project_name.get(i["projectId"]),
                    "assignee": agent_name.get(i["assigneeAgentId"]),
                    "parent": issue_title.get(i["parentId"]),
                    "goal": goal_title.get(i["goalId"]),
                    "createdAt": i["createdAt"],
                    "completedAt": i["completedAt"],
                }
                for i in issues
                if i.get("originKind", "manual") == "manual"
            ),
            key=lambda i: i["title"],
        ),
        "routines": sorted(
            (
                {
                    "title": r["title"],
                    "description": r["description"],
                    "status": r["status"],
                    "priority": r["priority"],
                    "assignee": agent_name.get(r["assigneeAgentId"]),
                    "project": project_name.get(r["projectId"]),
                    "concurrencyPolicy": r["concurrencyPolicy"],
                    "catchUpPolicy": r["catchUpPolicy"],
                    "triggers": sorted(
                        (
                            {k: t.get(k) for k in ("kind", "label", "enabled", "cronExpression", "timezone")}
                            for t in r.get("triggers") or []
                        ),
                        key=lambda t: (t["kind"], t["label"] or ""),
                    ),
                }
                for r in routines or []
            ),
            key=lambda r: r["title"],
        ),
    }


async def snapshot(api, company_id: str) -> dict:
    """`normalized` of what the API lists for the company (`api`: tests/factories.py ApiFactory)."""
    company = await api.ok("GET", f"/api/companies/{company_id}")
    agents = await api.ok("GET", f"/api/companies/{company_id}/agents")
    projects = await api.ok("GET", f"/api/companies/{company_id}/projects")
    issues = await api.ok("GET", f"/api/companies/{company_id}/issues")
    goals = await api.ok("GET", f"/api/companies/{company_id}/goals")
    routines = await api.ok("GET", f"/api/companies/{company_id}/routines")
    return normalized(company, agents, projects, issues, goals, routines)


async def seed(api, name: str = "Acme Porto") -> dict:
    """A company with one of everything a package carries, made with the shared factories."""
    company = await api.company(name, description="Makes things portable")
    cid = company["id"]
    secret = await api.secret(cid, "OPENAI_API_KEY", SECRET_VALUE)
    goal = await api.goal(cid, "Ship v1", description="Get it out", level="company", status="active")
    ceo = await api.agent(
        cid,
        "Ceo Bot",
        role="ceo",
        title="Chief Executive",
        capabilities="Runs the company",
        adapterType="process",
        budgetMonthlyCents=1000,
        adapterConfig={
            "command": "/usr/bin/python3",
            "args": ["-c", "print(1)"],
            "cwd": "/home/me/work",
            "promptTemplate": "You are the CEO.\n\nKeep the board tidy.",
            "env": {
                "OPENAI_API_KEY": {"type": "secret_ref", "secretId": secret["id"], "version": "latest"},
                "PLAIN_VAR": {"type": "plain", "value": "hello"},
            },
        },
        runtimeConfig={"heartbeat": {"enabled": True, "intervalSec": 300}},
    )
    eng = await api.agent(
        cid,
        "Engineer One",
        role="engineer",
        title="Backend",
        reportsTo=ceo["id"],
        adapterType="claude_local",
        adapterConfig={
            "model": "claude-sonnet-4",
            "cwd": "/home/me/repo",
            "instructionsFilePath": "/home/me/AGENTS.md",
        },
    )
    project = await api.project(
        cid,
        "Website Revamp",
        description="New site",
        status="in_progress",
        leadAgentId=eng["id"],
        goalIds=[goal["id"]],
        targetDate="2027-01-31",
        color="#ff0000",
    )
    first = await api.issue(
        cid,
        title="Design the landing page",
        description="Make it **pretty**.\n\n- hero\n- pricing",
        status="todo",
        priority="high",
        projectId=project["id"],
        goalId=goal["id"],
    )
    await api.issue(
        cid,
        title="Write copy",
        status="backlog",
        priority="low",
        parentId=first["id"],
        projectId=project["id"],
        assigneeAgentId=eng["id"],
    )
    await api.issue(cid, title="Unassigned chore", status="done")
    routine = await api.routine(
        cid,
        "Daily standup review",
        description="Review the board every weekday",
        assigneeAgentId=ceo["id"],
        projectId=project["id"],
        catchUpPolicy="enqueue_missed_with_cap",
    )
    await api.schedule(routine["id"], "0 9 * * 1-5", "Europe/Berlin", label="weekday mornings")
    await api.ok(
        "POST",
        f"/api/routines/{routine['id']}/triggers",
        json={"kind": "webhook", "signingMode": "hmac_sha256", "label": "hook"},
    )
    return {
        "company": company,
        "ceo": ceo,
        "eng": eng,
        "project": project,
        "secret": secret,
        "goal": goal,
    }


async def export(api, company_id: str, **include) -> dict:
    inc = include or {"company": True, "agents": True, "projects": True, "issues": True}
    return await api.ok("POST", f"/api/companies/{company_id}/exports", json={"include": inc})
