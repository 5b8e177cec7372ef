"""Shared CLI plumbing: the instance options every command takes, and error reporting."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

import typer
from rich.console import Console

from paperclip.config import Settings, load_settings
from paperclip.errors import AppError

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DataDir = Annotated[
    str | None,
    typer.Option("--data-dir", "-d", help="Paperclip home (default: $PAPERCLIP_HOME or ~/.paperclip)"),
]
ConfigOpt = Annotated[str | None, typer.Option("--config", "-c", help="Path to config.json")]
Instance = Annotated[
    str | None,
    typer.Option("--instance", "-i", help="Instance id (default: $PAPERCLIP_INSTANCE_ID or 'default')"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON")]


def settings_for(
    data_dir: str | None, config: str | None, instance: str | None, env: dict[str, str] | None = None
) -> Settings:
    return load_settings(
        dict(os.environ) if env is None else env, data_dir=data_dir, instance=instance, config_file=config
    )


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def handles_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """AppErrors become one red line and exit 1, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AppError as exc:
            fail(exc.message)
        except KeyboardInterrupt:
            fail("Interrupted", 130)

    return wrapper
