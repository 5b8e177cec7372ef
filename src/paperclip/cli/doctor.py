"""`paperclipai doctor` and the pre-flight that `run` performs before starting the server."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from paperclip.cli.checks.base import CheckResult
from paperclip.cli.checks.runner import Report, run_checks
from paperclip.cli.common import (
    ConfigOpt,
    DataDir,
    Instance,
    JsonOpt,
    console,
    err_console,
    handles_errors,
    is_interactive,
)
from paperclip.config import Settings, load_settings
from paperclip.config.store import layered_env
from paperclip.errors import StartupError
from paperclip.paths import InstancePaths, find_config_file, resolve_home, resolve_instance_id

MARKS = {"pass": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]"}
BLOCKING = "Doctor found blocking issues. Not starting server."


def outro(report: Report) -> str:
    if report.failed:
        return "Some checks failed. Fix the issues above and re-run doctor."
    if report.count("warn"):
        return "All critical checks passed with some warnings."
    return "All checks passed!"


def print_report(report: Report) -> None:
    for result in report.results:
        line = f"{MARKS[result.status]} {result.name}: {result.message}"
        if result.repaired:
            line += f" [dim](repaired: {result.repaired})[/]"
        console.print(line, highlight=False, soft_wrap=True)
        if result.status != "pass" and result.hint:
            console.print(f"  [dim]{result.hint}[/]", highlight=False, soft_wrap=True)
    s = report.summary()
    console.print(f"\n{s['passed']} passed, {s['warnings']} warnings, {s['failed']} failed", highlight=False)


def doctor_command(
    data_dir: DataDir = None,
    config: ConfigOpt = None,
    instance: Instance = None,
    repair: Annotated[
        bool, typer.Option("--repair", "--fix", help="Fix what can be fixed safely, then re-check")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Repair without asking for each fix")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check the instance's configuration, secrets, storage, database, logs and port."""
    _doctor(data_dir, config, instance, repair, yes, as_json)


@handles_errors
def _doctor(data_dir, config, instance, repair, yes, as_json) -> None:
    raw_env = dict(os.environ)
    paths = InstancePaths(resolve_home(raw_env, data_dir), resolve_instance_id(raw_env, instance))
    config_path = find_config_file(raw_env, paths, config)
    env = layered_env(raw_env, config_path.parent / ".env")

    def load() -> Settings:
        return load_settings(
            dict(os.environ), data_dir=data_dir, instance=instance, config_file=str(config_path)
        )

    ask = repair and not yes and not as_json and is_interactive()

    def confirm(result: CheckResult) -> bool:
        return not ask or typer.confirm(f'Repair "{result.name}"?', default=True)

    if not as_json:
        console.print(
            f"[bold]Paperclip doctor[/] · instance {paths.instance_id} · {config_path}\n", highlight=False
        )
    report = run_checks(config_path, env, load, repair=repair, confirm=confirm)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        print_report(report)
        console.print(outro(report))
    if report.failed:
        raise typer.Exit(1)


def preflight(settings: Settings, *, repair: bool = True) -> Settings:
    """The doctor run by `paperclipai run` (repairs without asking); refuses to start on any failure."""
    home, instance, config_path = str(settings.paths.home), settings.paths.instance_id, settings.config_path
    process_env = dict(settings.env)  # whatever the caller built settings from, .env values included

    def load() -> Settings:
        return load_settings(process_env, data_dir=home, instance=instance, config_file=str(config_path))

    report = run_checks(Path(config_path), settings.env, load, repair=repair, probe_storage=False)
    problems = [r for r in report.results if r.status != "pass" or r.repaired]
    for result in problems:
        line = f"{MARKS[result.status]} {result.name}: {result.message}"
        if result.repaired:
            line += f" [dim](repaired: {result.repaired})[/]"
        err_console.print(line, highlight=False, soft_wrap=True)
        if result.status != "pass" and result.hint:
            err_console.print(f"  [dim]{result.hint}[/]", highlight=False, soft_wrap=True)
    if report.failed or report.settings is None:
        raise StartupError(BLOCKING)
    return report.settings
