"""Start a docker-compose.yml with plain podman commands (what `docker compose up -d` does, for the
subset our compose file uses): a project network with service-name aliases, named volumes, environment
with ${VAR}, ${VAR:-default} and ${VAR:?message} interpolation, healthchecks, `depends_on` with
`condition: service_healthy` (waits by running the healthcheck), restart policy, stop grace period.
Services with `profiles` start only when named in COMPOSE_PROFILES.

    python compose.py up FILE PROJECT HOST_PORT

Published ports are bound to 127.0.0.1; the service publishing 3100 gets HOST_PORT. Images are expected
to exist locally (scripts/test-container builds paperclip:latest and the postgres stand-in).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml

VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
PODMAN = ["podman", "--runtime", "runc"]


def interpolate(value: str, env: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        current = env.get(name)
        if op in (":-", "-"):
            return current if current else (arg or "")
        if op in (":?", "?"):
            if not current:
                raise SystemExit(f"compose: {name} is required: {arg}")
            return current
        return current or ""

    return VAR.sub(one, value)


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([*PODMAN, *args], check=check, capture_output=True, text=True)


def order(services: dict) -> list[str]:
    done: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        for dep in services[name].get("depends_on") or {}:
            visit(dep)
        done.append(name)

    for name in services:
        visit(name)
    return done


def health_args(check: dict) -> list[str]:
    test = check["test"]
    if isinstance(test, list):
        kind, rest = test[0], test[1:]
        command = rest[0] if kind == "CMD-SHELL" else " ".join(rest)
    else:
        command = test
    args = ["--health-cmd", command]
    for key, flag in (
        ("interval", "--health-interval"),
        ("timeout", "--health-timeout"),
        ("retries", "--health-retries"),
        ("start_period", "--health-start-period"),
    ):
        if key in check:
            args += [flag, str(check[key])]
    return args


def wait_healthy(container: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if podman("healthcheck", "run", container, check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise SystemExit(f"compose: {container} not healthy after {timeout:.0f} s")


def up(path: str, project: str, host_port: str) -> None:
    env = dict(os.environ)
    spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    profiles = {p for p in env.get("COMPOSE_PROFILES", "").split(",") if p}
    services = {
        name: svc
        for name, svc in spec["services"].items()
        if not svc.get("profiles") or profiles & set(svc["profiles"])
    }
    network = f"{project}-net"
    podman("network", "create", network, check=False)
    for name in order(services):
        svc = services[name]
        for dep, cond in (svc.get("depends_on") or {}).items():
            if isinstance(cond, dict) and cond.get("condition") == "service_healthy":
                wait_healthy(f"{project}-{dep}")
        args = ["run", "-d", "--name", f"{project}-{name}", "--network", network, "--network-alias", name]
        for key, value in (svc.get("environment") or {}).items():
            args += ["-e", f"{key}={interpolate(str(value), env)}"]
        for volume in svc.get("volumes") or []:
            source, _, target = volume.partition(":")
            if source in (spec.get("volumes") or {}):
                source = f"{project}-{source}"
            args += ["-v", f"{source}:{target}"]
        for port in svc.get("ports") or []:
            published, _, target = str(port).rpartition(":")
            args += ["-p", f"127.0.0.1:{host_port if target == '3100' else published}:{target}"]
        if "healthcheck" in svc:
            args += health_args(svc["healthcheck"])
        if "restart" in svc:
            args += ["--restart", svc["restart"]]
        if "stop_grace_period" in svc:
            args += ["--stop-timeout", str(svc["stop_grace_period"]).rstrip("s")]
        image = svc["image"]
        args.append(
            image if "/" in image.split(":")[0] or image.startswith("postgres") else f"localhost/{image}"
        )
        if "command" in svc:
            args += list(svc["command"])
        podman(*args)
        print(f"    started {project}-{name} ({image})")


if __name__ == "__main__":
    if sys.argv[1] != "up":
        raise SystemExit("usage: compose.py up FILE PROJECT HOST_PORT")
    up(sys.argv[2], sys.argv[3], sys.argv[4])
