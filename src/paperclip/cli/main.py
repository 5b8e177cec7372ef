"""The `paperclipai` command line."""

from __future__ import annotations

import typer

from paperclip import __version__
from paperclip.cli.allowed_hostname import allowed_hostname_command
from paperclip.cli.auth_cmd import auth_app
from paperclip.cli.configure import configure_command
from paperclip.cli.db import backup_command, db_app, migrate_command, restore_command
from paperclip.cli.doctor import doctor_command
from paperclip.cli.env_cmd import env_command
from paperclip.cli.heartbeat import heartbeat_app
from paperclip.cli.onboard import onboard_command
from paperclip.cli.run import run_command
from paperclip.cli.secrets_cmd import secrets_app

app = typer.Typer(
    name="paperclipai",
    help="Paperclip: the control plane for companies of AI agents.\n\nClient commands (over HTTP, like the original CLI): company, issue, agent, project, goal, approval, activity, dashboard, cost, finance, budget, org, token, agent-config, context, health, whoami. Run `paperclipai GROUP --help`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version"
    ),
) -> None:
    pass


app.command("onboard")(onboard_command)
app.command("run")(run_command)
app.command("doctor")(doctor_command)
app.command("configure")(configure_command)
app.command("env")(env_command)
app.command("allowed-hostname")(allowed_hostname_command)
app.command("db:backup")(backup_command)
app.command("db:restore")(restore_command)
app.command("db:migrate", hidden=True)(migrate_command)
app.add_typer(db_app, name="db")
app.add_typer(heartbeat_app, name="heartbeat")
app.add_typer(auth_app, name="auth")
app.add_typer(secrets_app, name="secrets")


def main() -> None:
    app()
