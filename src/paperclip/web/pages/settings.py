"""Company settings (name, description, brand colour, budget, hire-approval flag, status, members) and
instance settings (general, scheduler and heartbeats, adapters).

    /<P>/company/settings       /instance/settings[/general|heartbeats|adapters]
"""

from __future__ import annotations

from collections import Counter
from importlib.util import find_spec
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends

from paperclip.adapters.registry import adapters
from paperclip.companies import service as companies
from paperclip.companies.schemas import CompanyPatch
from paperclip.config.settings import mask_url_password
from paperclip.db.models import CompanyMembership
from paperclip.errors import NotFound
from paperclip.heartbeat import service as heartbeat
from paperclip.web import queries
from paperclip.web.context import CompanyPage, Page, PageActor, page_actor, selected_company
from paperclip.web.forms import form_data
from paperclip.web.pages.agent_config_form import ADAPTER_FIELDS
from paperclip.web.pages.formkit import WRITE, body, cents, checkbox, field_error, render_page
from paperclip.web.render import done, redirect

router = APIRouter()
INSTANCE_TABS = ("general", "heartbeats", "adapters")


# ---------------------------------------------------------------- company


@router.get("/{prefix}/company/settings")
async def company_settings(page: CompanyPage):
    return await settings_page(page)


async def settings_page(page: Page, **extra: Any):
    members = list(
        await page.session.scalars(
            sa.select(CompanyMembership)
            .where(CompanyMembership.company_id == page.company.id)
            .order_by(CompanyMembership.created_at)
        )
    )
    secrets: list[Any] = []
    refs: dict[str, int] = {}
    secrets_enabled = find_spec("paperclip.secrets") is not None  # an install may lack the secrets feature
    if secrets_enabled:
        from paperclip.secrets import service as secret_service

        secrets = await secret_service.list_secrets(page.session, page.actor, page.company.id)
        refs = await secret_service.reference_counts(page.session, page.company.id)
    return await render_page(
        page,
        "company/settings.html",
        members=members,
        secrets=secrets,
        refs=refs,
        secrets_enabled=secrets_enabled,
        **await _people(page),
        **extra,
    )


AUTH_PEOPLE = (
    find_spec("paperclip.access.members") is not None and find_spec("paperclip.access.invites") is not None
)


async def _people(page: Page) -> dict[str, Any]:
    """Members (with roles) and invites, from the authentication feature when it is installed."""
    if not AUTH_PEOPLE:
        return {"people": None}
    from paperclip.access import invites, members
    from paperclip.auth.memberships import ROLES

    data = await members.list_members(page.session, page.actor, page.company.id)
    access = data["access"]
    pending = (
        (await invites.list_company_invites(page.session, page.actor, page.company.id, page.now, limit=500))[
            "invites"
        ]
        if access["canInviteUsers"]
        else []
    )
    return {
        "people": data["members"],
        "access": access,
        "roles": ROLES,
        "invites": [i for i in pending if i["state"] == "active"],
    }


def _base_url(page: Page) -> str:
    return page.request.app.state.settings.auth_public_base_url or str(page.request.base_url).rstrip("/")


@router.post("/{prefix}/company/invites", dependencies=WRITE)
async def create_invite(page: CompanyPage):
    """A company invite: its link is shown in this answer only (the token is stored hashed)."""
    from paperclip.access import invites
    from paperclip.auth.memberships import ROLES

    form = await form_data(page.request)
    role = form.text("humanRole") or "member"
    if role not in ROLES:
        raise field_error("humanRole", "Choose a role from the list")
    created = await invites.create_company_invite(
        page.session,
        page.actor,
        page.company.id,
        {"allowedJoinTypes": "human", "humanRole": role},
        page.now,
        _base_url(page),
    )
    return await settings_page(page, new_invite=created)


@router.post("/{prefix}/company/invites/{invite_id}/revoke", dependencies=WRITE)
async def revoke_invite(page: CompanyPage, invite_id: str):
    import uuid

    from paperclip.access import invites

    try:
        iid = uuid.UUID(invite_id)
    except ValueError:
        raise NotFound("Invite not found") from None
    await invites.revoke_invite(page.session, page.actor, iid, page.now)
    return done(page.request, f"/{page.prefix}/company/settings#members")


@router.post("/{prefix}/company/members/{member_id}", dependencies=WRITE)
async def update_member(page: CompanyPage, member_id: str):
    import uuid

    from paperclip.access import members

    try:
        mid = uuid.UUID(member_id)
    except ValueError:
        raise NotFound("Member not found") from None
    form = await form_data(page.request)
    await members.update_member(
        page.session,
        page.actor,
        page.company.id,
        mid,
        {"membershipRole": form.text("membershipRole")},
        page.now,
    )
    return done(page.request, f"/{page.prefix}/company/settings#members")


@router.post("/{prefix}/company/secrets", dependencies=WRITE)
async def create_secret(page: CompanyPage):
    """A new company secret: its value goes to the secrets provider and is never shown again."""
    from paperclip.secrets import service as secret_service
    from paperclip.secrets.schemas import SecretCreate

    form = await form_data(page.request)
    data = body(
        SecretCreate,
        {
            "name": form.text("name"),
            "value": form.get("value") or None,
            "description": form.text("description") or None,
        },
    )
    if not data.value:
        raise field_error("value", "Enter the secret's value")
    await secret_service.create_secret(
        page.session, page.actor, page.request.app.state.settings, page.company.id, data, page.now
    )
    return done(page.request, f"/{page.prefix}/company/settings#secrets")


@router.post("/{prefix}/company/secrets/{secret_id}/rotate", dependencies=WRITE)
async def rotate_secret(page: CompanyPage, secret_id: str):
    """A new version of a secret; bindings on `latest` use it from the next run."""
    import uuid

    from paperclip.secrets import service as secret_service
    from paperclip.secrets.schemas import SecretRotate

    try:
        sid = uuid.UUID(secret_id)
    except ValueError:
        raise NotFound("Secret not found") from None
    secret = await secret_service.get_secret(page.session, page.actor, sid)
    if secret.company_id != page.company.id:
        raise NotFound("Secret not found")
    form = await form_data(page.request)
    data = body(SecretRotate, {"value": form.get("value") or None})
    if not data.value:
        raise field_error("value", "Enter the new value")
    await secret_service.rotate_secret(
        page.session, page.actor, page.request.app.state.settings, sid, data, page.now
    )
    return done(page.request, f"/{page.prefix}/company/settings#secrets")


@router.post("/{prefix}/company/settings", dependencies=WRITE)
async def save_company_settings(page: CompanyPage):
    form = await form_data(page.request)
    color = form.text("brandColor")
    if color and not (len(color) == 7 and color.startswith("#")):
        raise field_error("brandColor", "Use a colour like #4338ca")
    patch = body(
        CompanyPatch,
        {
            "name": form.text("name"),
            "description": form.text("description") or None,
            "brandColor": color or None,
            "budgetMonthlyCents": cents(form, "budget"),
            "requireBoardApprovalForNewAgents": checkbox(form, "requireBoardApprovalForNewAgents"),
        },
    )
    await companies.update_company(page.session, page.actor, page.company.id, patch, page.now)
    return done(page.request, f"/{page.prefix}/company/settings")


@router.post("/{prefix}/company/status", dependencies=WRITE)
async def set_company_status(page: CompanyPage):
    form = await form_data(page.request)
    status = form.text("status")
    if status not in ("active", "paused", "archived"):
        raise field_error("status", "Choose active, paused or archived")
    if status == "archived":
        await companies.archive_company(page.session, page.actor, page.company.id, page.now)
        return done(page.request, "/companies")
    await companies.update_company(
        page.session, page.actor, page.company.id, body(CompanyPatch, {"status": status}), page.now
    )
    return done(page.request, f"/{page.prefix}/company/settings")


# ---------------------------------------------------------------- instance


@router.get("/instance/settings", dependencies=[Depends(page_actor)])
async def instance_root():
    return redirect("/instance/settings/general")


def _general(settings) -> list[tuple[str, list[tuple[str, Any]]]]:
    """What the instance runs with — never a secret (URLs have their password masked)."""
    db = settings.database
    return [
        (
            "Server",
            [
                ("Deployment mode", settings.deployment_mode),
                ("Exposure", settings.deployment_exposure),
                ("Bind", f"{settings.bind} ({settings.host}:{settings.port})"),
                ("Allowed hostnames", ", ".join(settings.allowed_hostnames) or "—"),
                ("Board UI", "on" if settings.serve_ui else "off"),
                ("HTTP workers", settings.workers),
                ("Heartbeat process", settings.heartbeat_process),
            ],
        ),
        (
            "Database",
            [
                ("Mode", "embedded PostgreSQL" if db.embedded else "external PostgreSQL"),
                ("URL", mask_url_password(db.url) if db.url else "—"),
                ("Prepared statements", "on" if db.prepared_statements else "off (pooler)"),
                ("Pool size", db.pool_max),
                (
                    "Backups",
                    f"every {settings.backup.interval_minutes} min, kept {settings.backup.retention_days} days"
                    if settings.backup.enabled
                    else "off",
                ),
            ],
        ),
        (
            "Storage and secrets",
            [
                ("Storage", settings.storage.provider),
                ("Secrets", settings.secrets.provider),
                ("Strict secrets mode", "on" if settings.secrets.strict_mode else "off"),
            ],
        ),
        (
            "Logging",
            [
                ("Format", settings.log_format),
                ("Level", settings.log_level),
                ("Directory", str(settings.log_dir)),
                ("Telemetry", "on" if settings.telemetry_enabled else "off"),
            ],
        ),
    ]


@router.get("/instance/settings/{tab}")
async def instance_settings(page: PageActor, tab: str):
    if tab not in INSTANCE_TABS:
        raise NotFound("Page not found")
    page.actor.require_instance_admin()
    # keep the sidebar of the company the user came from (the remembered one)
    page.request.state.company = await selected_company(page)
    settings = page.request.app.state.settings
    ctx: dict[str, Any] = {"tab": tab, "tabs": INSTANCE_TABS, "settings": settings}
    if tab == "general":
        ctx["sections"] = _general(settings)
    elif tab == "heartbeats":
        agents = await heartbeat.scheduler_heartbeats(page.session, page.actor)
        ctx.update(
            agents=agents,
            replicas=await heartbeat.scheduler_replicas(page.session, page.actor),
            timed=sum(1 for a in agents if a["schedulerActive"]),
        )
    else:
        counts = Counter(
            {
                r["adapter_type"]: r["n"]
                for r in await queries.LIVE_AGENT_COUNTS_BY_ADAPTER.fetch(page.session)
            }
        )
        ctx["adapters"] = [
            {
                "type": t,
                "sessions": bool(getattr(a, "supports_sessions", False)),
                "module": type(a).__module__,
                "agents": counts.get(t, 0),
                "fields": [f.label for f in ADAPTER_FIELDS.get(t, [])],
            }
            for t, a in sorted(adapters().items())
        ]
    return await render_page(page, f"instance/{tab}.html", **ctx)
