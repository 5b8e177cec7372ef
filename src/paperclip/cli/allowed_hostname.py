"""`paperclipai allowed-hostname <host>`: let the private hostname guard accept one more Host."""

from __future__ import annotations

import os
from typing import Annotated
from urllib.parse import urlsplit

import typer

from paperclip.cli.common import ConfigOpt, DataDir, Instance, console, fail, handles_errors
from paperclip.cli.configure import NO_CONFIG
from paperclip.config.store import read_config, write_config
from paperclip.paths import InstancePaths, find_config_file, resolve_home, resolve_instance_id


def normalise_hostname(raw: str) -> str | None:
    """Lowercase, without scheme, port, path or IPv6 brackets; None when nothing usable is left."""
    text = raw.strip().lower()
    if not text:
        return None
    parts = urlsplit(text if "://" in text else f"//{text}")
    try:
        host = parts.hostname
    except ValueError:
        return None
    return host or None


def allowed_hostname_command(
    host: Annotated[
        str, typer.Argument(help="Hostname clients use, e.g. paperclip.internal or my-box.tailnet.ts.net")
    ],
    data_dir: DataDir = None,
    config: ConfigOpt = None,
    instance: Instance = None,
) -> None:
    """Add a hostname to server.allowedHostnames (local_trusted and authenticated/private deployments)."""
    _allowed_hostname(host, data_dir, config, instance)


@handles_errors
def _allowed_hostname(host, data_dir, config, instance) -> None:
    env = dict(os.environ)
    paths = InstancePaths(resolve_home(env, data_dir), resolve_instance_id(env, instance))
    path = find_config_file(env, paths, config)
    current = read_config(path)
    if current is None:
        fail(NO_CONFIG)
    hostname = normalise_hostname(host)
    if hostname is None:
        fail(f"Invalid hostname: {host!r}")
    if hostname in {h.lower() for h in current.server.allowedHostnames}:
        console.print(f"Hostname {hostname} is already allowed.", highlight=False)
    else:
        data = current.dump()
        data["server"]["allowedHostnames"] = sorted(
            {*(h.lower() for h in current.server.allowedHostnames), hostname}
        )
        write_config(path, data, "configure")
        console.print(f"[green]✓[/] Added allowed hostname: {hostname}", highlight=False)
        console.print("Restart the Paperclip server for the change to take effect.")
    mode, exposure = current.server.deploymentMode, current.server.exposure
    if mode == "authenticated" and exposure == "public":
        console.print(
            f"Note: allowed hostnames are enforced only in local_trusted and authenticated/private modes (this instance: {mode}/{exposure}).",
            highlight=False,
            soft_wrap=True,
        )
    if env.get("PAPERCLIP_ALLOWED_HOSTNAMES", "").strip():
        console.print(
            "Note: PAPERCLIP_ALLOWED_HOSTNAMES is set in the environment and replaces this list.",
            highlight=False,
            soft_wrap=True,
        )
