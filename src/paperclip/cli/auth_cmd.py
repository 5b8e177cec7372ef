"""`paperclipai auth bootstrap-ceo`: the first admin's invite link for an authenticated instance (deploy §5.5)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from paperclip.cli.auth_login import login_command, logout_command, whoami_command
from paperclip.cli.common import ConfigOpt, DataDir, Instance, console, handles_errors, settings_for

auth_app = typer.Typer(help="Authentication: first admin invite, CLI login", no_args_is_help=True)
auth_app.command("login")(login_command)
auth_app.command("whoami")(whoami_command)
auth_app.command("logout")(logout_command)


def bootstrap_base_url(settings, override: str | None) -> str:
    """--base-url > PAPERCLIP_PUBLIC_URL > PAPERCLIP_AUTH_PUBLIC_BASE_URL > BETTER_AUTH_URL > BETTER_AUTH_BASE_URL
    > the explicit config URL > http://<host|localhost>:<port>."""
    env = settings.env
    for value in (
        override,
        env.get("PAPERCLIP_PUBLIC_URL"),
        env.get("PAPERCLIP_AUTH_PUBLIC_BASE_URL"),
        env.get("BETTER_AUTH_URL"),
        env.get("BETTER_AUTH_BASE_URL"),
        settings.auth_public_base_url,
    ):
        if value and value.strip():
            return value.strip().rstrip("/")
    host = "localhost" if settings.host in ("0.0.0.0", "::", "", None) else settings.host
    return f"http://{host}:{settings.port}"


@auth_app.command("bootstrap-ceo")
def bootstrap_ceo_command(
    force: Annotated[
        bool, typer.Option("--force", help="Create an invite even though an admin exists")
    ] = False,
    expires_hours: Annotated[
        int, typer.Option("--expires-hours", help="Hours until the invite expires (1-720)")
    ] = 72,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Base URL for the printed invite link")
    ] = None,
    data_dir: DataDir = None,
    config: ConfigOpt = None,
    instance: Instance = None,
) -> None:
    """Print a one-time invite link that makes whoever accepts it the instance admin."""
    _bootstrap(force, expires_hours, base_url, data_dir, config, instance)


@handles_errors
def _bootstrap(force, expires_hours, base_url, data_dir, config, instance) -> None:
    from paperclip.server.database import start_database

    settings = settings_for(data_dir, config, instance)
    if settings.is_local_trusted:
        console.print(
            "Deployment mode is local_trusted: there is no sign-in, so no bootstrap invite is needed."
        )
        return
    database = start_database(settings, migrate=False)
    try:
        token, expires_at = asyncio.run(_create(database.url, force=force, expires_hours=expires_hours))
    finally:
        database.stop()
    console.print("Bootstrap CEO invite created.", highlight=False)
    console.print(
        f"Invite URL: {bootstrap_base_url(settings, base_url)}/invite/{token}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(f"Expires: {expires_at.isoformat(timespec='seconds')}", highlight=False)


async def _create(url: str, *, force: bool, expires_hours: int):
    from paperclip.access.invites import create_bootstrap_invite
    from paperclip.clock import utcnow
    from paperclip.db.engine import make_async_engine, session_factory, unit_of_work

    engine = make_async_engine(url, prepared_statements=False, pool_max=1)
    try:
        async with unit_of_work(session_factory(engine)) as session:
            token, invite = await create_bootstrap_invite(
                session, utcnow(), expires_hours=expires_hours, force=force
            )
            return token, invite.expires_at
    finally:
        await engine.dispose()
