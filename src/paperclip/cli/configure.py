"""`paperclipai configure`: change one section of config.json, by prompts or by `--set key=value`.

Non-interactive use: `paperclipai configure -s server --set port=3200 --set allowedHostnames=a.example,b.example`.
Keys are paths inside the section (`backup.retentionDays`), optionally with the section in front
(`server.port`). Values: true/false, integers, JSON (`[...]`, `{...}`, `"..."`), otherwise text;
an empty value removes the key (its default applies). For a list, a comma-separated text is split.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from paperclip.cli import configure_prompts
from paperclip.cli.common import ConfigOpt, DataDir, Instance, console, fail, handles_errors, is_interactive
from paperclip.cli.instance_files import ensure_master_key
from paperclip.config.store import read_config, write_config
from paperclip.errors import ConfigError
from paperclip.paths import InstancePaths, find_config_file, resolve_home, resolve_instance_id

SECTIONS = ("llm", "database", "logging", "server", "storage", "secrets")
NO_CONFIG = "No config file found. Run `paperclipai onboard` first."
_INT_RE = re.compile(r"^-?\d+$")


def parse_value(text: str, current: Any) -> Any:
    value = text.strip()
    if value == "":
        return None
    if value in ("true", "false"):
        return value == "true"
    if _INT_RE.match(value):
        return int(value)
    if value[0] in '[{"':
        try:
            return json.loads(value)
        except ValueError:
            raise ConfigError(f"Invalid JSON value: {value}") from None
    if isinstance(current, list):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def apply_assignments(data: dict, section: str, assignments: list[str]) -> dict:
    """Set `key=value` pairs inside data[section]; returns data (changed in place)."""
    target = data.setdefault(section, {})
    if not isinstance(target, dict):
        target = data[section] = {}
    for assignment in assignments:
        key, sep, raw = assignment.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"Invalid --set {assignment!r}: expected KEY=VALUE, e.g. --set port=3200")
        parts = key.split(".")
        if parts[0] == section and len(parts) > 1:
            parts = parts[1:]
        node = target
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        value = parse_value(raw, node.get(parts[-1]))
        if value is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return data


def load_for_update(path: Path) -> dict:
    """The current file as a dict; an invalid file still gives its JSON (or defaults) so it can be repaired."""
    try:
        config = read_config(path)
    except ConfigError as exc:
        console.print(
            f"[yellow]![/] {exc.message}\n  Editing it anyway; the previous file is kept as {path.name}.backup",
            highlight=False,
            soft_wrap=True,
        )
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return raw if isinstance(raw, dict) else {}
        except (OSError, ValueError):
            return {}
    assert config is not None
    return config.dump()


def prompt_section(data: dict, section: str) -> None:
    current = data.get(section) or {}
    if section == "server":
        data["server"], data["auth"] = configure_prompts.server(current, data.get("auth") or {})
    else:
        data[section] = getattr(configure_prompts, section)(current)


def configure_command(
    data_dir: DataDir = None,
    config: ConfigOpt = None,
    instance: Instance = None,
    section: Annotated[
        str | None, typer.Option("--section", "-s", help=f"One of: {', '.join(SECTIONS)}")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="KEY=VALUE inside the section (repeatable); no prompts")
    ] = None,
) -> None:
    """Change one section of the instance's config.json (keeps config.json.backup).

    Prompts on a terminal; otherwise pass values, e.g. `-s server --set port=3200 --set allowedHostnames=a.example,b.example`
    or `-s database --set backup.retentionDays=14`. An empty value (`--set endpoint=`) removes a key.
    """
    _configure(data_dir, config, instance, section, set_ or [])


@handles_errors
def _configure(data_dir, config, instance, section, assignments) -> None:
    env = dict(os.environ)
    paths = InstancePaths(resolve_home(env, data_dir), resolve_instance_id(env, instance))
    path = find_config_file(env, paths, config)
    if not path.exists():
        fail(NO_CONFIG)
    if section is not None and section not in SECTIONS:
        fail(f"Unknown section: {section}. Choose from: {', '.join(SECTIONS)}")
    if section is None:
        if assignments or not is_interactive():
            fail(f"Choose a section with --section: {', '.join(SECTIONS)}")
        import questionary

        section = questionary.select("Section to configure", choices=list(SECTIONS)).unsafe_ask()
    data = load_for_update(path)
    if assignments:
        apply_assignments(data, section, assignments)
    elif is_interactive():
        prompt_section(data, section)
    else:
        fail("The terminal is non-interactive: pass --set KEY=VALUE (e.g. --set port=3200) to change values")
    written = write_config(path, data, "configure")
    if section == "secrets":
        key = Path(written.secrets.localEncrypted.keyFilePath or paths.master_key).expanduser()
        if ensure_master_key(key):
            console.print(f"[green]✓[/] Created secrets master key {key}", highlight=False, soft_wrap=True)
    console.print(
        f"[green]✓[/] Updated {section} in {path} (previous version in {path.name}.backup)",
        highlight=False,
        soft_wrap=True,
    )
    console.print("Restart the server for the change to take effect.")
