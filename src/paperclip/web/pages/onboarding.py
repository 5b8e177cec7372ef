"""First run: a company, its first agent and a starter task, in one form and one transaction."""

from __future__ import annotations

import shlex

from fastapi import APIRouter, Depends, Request

from paperclip.agents.schemas import AgentCreate
from paperclip.agents.service import create_agent
from paperclip.companies.schemas import CompanyCreate
from paperclip.companies.service import create_company
from paperclip.errors import BadRequest
from paperclip.issues.schemas import IssueCreate
from paperclip.issues.service import create_issue
from paperclip.web.context import COMPANY_COOKIE, PageActor, page_actor
from paperclip.web.csrf import csrf_protect
from paperclip.web.forms import FormData, cents, form_data, parse
from paperclip.web.render import done, render

router = APIRouter()

ADAPTERS = [
    ("process", "Process (any command)"),
    ("claude_local", "Claude Code (local CLI)"),
    ("codex_local", "Codex (local CLI)"),
    ("http", "HTTP webhook"),
]
ROLES = [
    "ceo",
    "cto",
    "cmo",
    "cfo",
    "engineer",
    "designer",
    "pm",
    "qa",
    "devops",
    "researcher",
    "security",
    "general",
]


def adapter_config(form: FormData) -> tuple[str, dict]:
    """The adapter type and its config from the shared agent form fields."""
    adapter = form.text("adapterType", "process")
    config: dict = {}
    if adapter == "process":
        command = form.text("command")
        if not command:
            raise BadRequest("command: the process adapter needs a command to run")
        try:
            parts = shlex.split(command)
        except ValueError as exc:
            raise BadRequest(f"command: {exc}") from None
        config = {"command": parts[0], "args": parts[1:]}
    elif adapter == "http":
        url = form.text("url")
        if not url.startswith(("http://", "https://")):
            raise BadRequest("url: the HTTP adapter needs an http(s) URL")
        config = {"url": url}
    elif adapter in ("claude_local", "codex_local"):
        if form.text("cwd"):
            config["cwd"] = form.text("cwd")
        if form.text("model"):
            config["model"] = form.text("model")
    if form.text("cwd") and adapter == "process":
        config["cwd"] = form.text("cwd")
    return adapter, config


@router.get("/onboarding", dependencies=[Depends(page_actor)])
async def onboarding(request: Request):
    return await render(request, "onboarding/wizard.html", adapters=ADAPTERS, roles=ROLES)


@router.post("/onboarding", dependencies=[Depends(csrf_protect)])
async def onboard(request: Request, page: PageActor):
    form = await form_data(request)
    company_body = parse(
        CompanyCreate,
        {
            "name": form.text("companyName"),
            "description": form.text("mission") or None,
            "budgetMonthlyCents": cents(form.get("budget")),
        },
    )
    adapter, config = adapter_config(form)
    agent_body = parse(
        AgentCreate,
        {
            "name": form.text("agentName") or "CEO",
            "role": form.text("role", "ceo"),
            "title": form.text("agentTitle") or None,
            "adapterType": adapter,
            "adapterConfig": config,
        },
    )
    task_title = form.text("taskTitle")
    company = await create_company(page.session, page.actor, company_body, page.now)
    agent = await create_agent(
        page.session,
        page.actor,
        company.id,
        agent_body,
        page.now,
        strict_secrets=request.app.state.settings.secrets.strict_mode,
    )
    target = f"/{company.issue_prefix}/dashboard"
    if task_title:
        issue = await create_issue(
            page.session,
            page.actor,
            company.id,
            parse(
                IssueCreate,
                {
                    "title": task_title,
                    "description": form.text("taskDescription") or None,
                    "assigneeAgentId": str(agent.id),
                },
            ),
            page.now,
        )
        target = f"/{company.issue_prefix}/issues/{issue['identifier']}"
    response = done(request, target)
    response.set_cookie(COMPANY_COOKIE, company.issue_prefix, samesite="lax", max_age=365 * 86400, path="/")
    return response
