"""`paperclipai run`: make sure the instance is set up (safe repairs), then serve in the foreground."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from paperclip.cli.common import (
    ConfigOpt,
    DataDir,
    Instance,
    console,
    fail,
    handles_errors,
    is_interactive,
    settings_for,
)
from paperclip.config import Settings


def run_command(
    data_dir: DataDir = None,
    config: ConfigOpt = None,
    instance: Instance = None,
    repair: Annotated[
        bool, typer.Option("--repair/--no-repair", help="Fix what can be fixed safely before starting")
    ] = True,
) -> None:
    """Start the Paperclip server (onboards first when no config exists and a terminal is attached)."""
    _run(data_dir, config, instance, repair)


@handles_errors
def _run(data_dir, config, instance, repair) -> None:
    settings = settings_for(data_dir, config, instance)
    if settings.config is None and not settings.env.get("PAPERCLIP_DEPLOYMENT_MODE"):
        if not is_interactive():
            fail(
                "No config found and terminal is non-interactive. Run `paperclipai onboard --yes` first "
                "(or set PAPERCLIP_DEPLOYMENT_MODE to run from environment variables only)."
            )
        from paperclip.cli.onboard import onboard_instance

        onboard_instance(
            data_dir=data_dir,
            config=config,
            instance=instance,
            yes=False,
            mode=None,
            exposure=None,
            public_url=None,
            bind=None,
        )
        settings = settings_for(data_dir, config, instance)
    start_server(settings, repair=repair, data_dir=data_dir, config=config, instance=instance)


def start_server(
    settings: Settings, *, repair: bool = True, data_dir=None, config=None, instance=None
) -> None:
    from paperclip.cli.doctor import preflight
    from paperclip.server.trace import mark

    mark("cli")
    os.environ["PAPERCLIP_INSTANCE_ID"] = settings.paths.instance_id
    if settings.config_path.exists():
        os.environ["PAPERCLIP_CONFIG"] = str(settings.config_path)
    settings = preflight(settings, repair=repair)
    mark("preflight")
    from paperclip.server.runtime import serve

    mark("server imported")

    code = serve(settings)
    if code:
        console.print("[red]Paperclip server failed to start[/]")
        raise typer.Exit(code)
