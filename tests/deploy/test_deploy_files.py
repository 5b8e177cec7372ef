"""Every deployment file parses, and agrees with the code and with the others: the variables it sets
are ones Paperclip reads (and accepts with those values), ports and health paths match the image."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from paperclip.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
PORT = 3100
HEALTH = "/api/health"
# Read by libraries or other programs, not by our settings.
FOREIGN = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PATH", "PYTHONUNBUFFERED", "HOME"}


def known_variables() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src" / "paperclip").rglob("*.py"):
        names.update(
            re.findall(
                r'"((?:PAPERCLIP|HEARTBEAT|BETTER_AUTH)_[A-Z0-9_]+|DATABASE_URL|HOST|PORT)"',
                path.read_text(encoding="utf-8"),
            )
        )
    return names


KNOWN = known_variables()


def assert_known(names, where: str) -> None:
    unknown = sorted(set(names) - KNOWN - FOREIGN)
    assert not unknown, f"{where} sets variables Paperclip does not read: {unknown}"


def assert_accepted(env: dict[str, str], tmp_path: Path) -> None:
    """Our settings take these values (a typo in a value is a ConfigError naming it)."""
    env = {k: v for k, v in env.items() if v is not None}
    env.setdefault("PAPERCLIP_HOME", str(tmp_path))
    settings = load_settings(env, config_file=str(tmp_path / "absent.json"), cwd=tmp_path)
    assert settings.port == PORT
    assert settings.deployment_mode == "authenticated"
    assert settings.deployment_exposure == "public"


def interpolate(value: str, env: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        return env.get(name) or (arg if op == ":-" else "")

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-?])([^}]*))?\}", one, value)


def dockerfile() -> dict:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    lines = [
        line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")
    ]
    env: dict[str, str] = {}  # the final stage's: what the running container sees
    for line in lines:
        if line.startswith("FROM "):
            env = {}
        elif line.startswith("ENV "):
            for key, value in re.findall(r"([A-Z_][A-Z0-9_]*)=(\S+)", line[4:]):
                env[key] = value
    return {"text": text, "lines": lines, "env": env}


def test_dockerfile_is_multi_stage_non_root_with_health_and_signals():
    d = dockerfile()
    froms = [line for line in d["lines"] if line.startswith("FROM ")]
    assert len(froms) >= 2 and all("${BASE_IMAGE}" in line for line in froms)
    assert any(line.startswith("ARG BASE_IMAGE=") for line in d["lines"])
    user = [line.split()[1] for line in d["lines"] if line.startswith("USER ")]
    assert user and user[-1] not in ("root", "0")
    assert f"EXPOSE {PORT}" in d["lines"]
    assert d["env"]["PAPERCLIP_HOME"] == "/paperclip" and d["env"]["PORT"] == str(PORT)
    assert d["env"]["PAPERCLIP_SECRETS_MASTER_KEY_FILE"].startswith("/paperclip/secrets/")
    assert Path(d["env"]["PAPERCLIP_CONFIG"]).parent == Path("/paperclip/secrets")  # its .env lives there too
    assert any(line.startswith("VOLUME") and "/paperclip/secrets" in line for line in d["lines"])
    health = [line for line in d["lines"] if line.startswith("HEALTHCHECK")]
    assert health and HEALTH in health[0] and "PORT" in health[0]
    entrypoint = json.loads(
        next(line for line in d["lines"] if line.startswith("ENTRYPOINT"))[len("ENTRYPOINT") :]
    )
    assert entrypoint[0] == "tini" and entrypoint[-2:] == ["paperclipai", "run"]
    assert_known(d["env"], "Dockerfile")


def test_dockerignore_keeps_only_what_the_build_copies():
    ignore = [
        line
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").split("\n")
        if line and not line.startswith("#")
    ]
    assert ignore[0] == "*"  # everything is excluded unless named
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile()["text"], flags=re.M)
    for sources in copied:
        for source in sources.split():
            assert f"!{source.rstrip('/')}/" in ignore or f"!{source}" in ignore, source


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_is_the_guides_stack_with_a_healthy_database_first(tmp_path):
    spec = compose()
    app, db = spec["services"]["paperclip"], spec["services"]["db"]
    assert db["image"] == "postgres:17-alpine"
    assert set(spec["volumes"]) >= {"pgdata", "secrets"}
    assert (
        "secrets:/paperclip/secrets" in app["volumes"] and "pgdata:/var/lib/postgresql/data" in db["volumes"]
    )
    assert app["restart"] == db["restart"] == "unless-stopped"
    assert app["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(str(p).endswith(f":{PORT}") for p in app["ports"])
    assert "DB_PASSWORD" in (ROOT / "docker-compose.yml").read_text().split("services:")[0]  # documented
    env = {k: interpolate(str(v), {"DB_PASSWORD": "pw"}) for k, v in app["environment"].items()}
    assert_known(env, "docker-compose.yml")
    db_env = {k: interpolate(str(v), {"DB_PASSWORD": "pw"}) for k, v in db["environment"].items()}
    url = env["DATABASE_URL"]
    assert (
        url
        == f"postgres://{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}@db:5432/{db_env['POSTGRES_DB']}"
    )
    assert_accepted({**dockerfile()["env"], **env, "PAPERCLIP_HOME": str(tmp_path)}, tmp_path)
    minio = spec["services"]["minio"]
    assert minio["profiles"] == ["s3"]


def test_fly_toml(tmp_path):
    fly = tomllib.loads((ROOT / "deploy" / "fly.toml").read_text(encoding="utf-8"))
    service = fly["http_service"]
    assert service["internal_port"] == PORT == int(fly["env"]["PORT"])
    assert [c["path"] for c in service["checks"]] == [HEALTH]
    assert fly["mounts"][0]["destination"] == "/paperclip/secrets"
    assert fly["env"]["PAPERCLIP_SECRETS_MASTER_KEY_FILE"].startswith(fly["mounts"][0]["destination"] + "/")
    assert fly["kill_signal"] == "SIGTERM" and int(fly["kill_timeout"].rstrip("s")) >= 10
    assert_known(fly["env"], "fly.toml")
    assert_accepted({**fly["env"], "DATABASE_URL": "postgres://u:p@db.internal:5432/paperclip"}, tmp_path)


def test_render_yaml(tmp_path):
    render = yaml.safe_load((ROOT / "deploy" / "render.yaml").read_text(encoding="utf-8"))
    web = render["services"][0]
    assert web["runtime"] == "docker" and (ROOT / web["dockerfilePath"]).is_file()
    assert web["healthCheckPath"] == HEALTH
    env = {v["key"]: v for v in web["envVars"]}
    assert_known(env, "render.yaml")
    assert env["DATABASE_URL"]["fromDatabase"]["name"] == render["databases"][0]["name"]
    assert render["databases"][0]["postgresMajorVersion"] == "17"
    assert int(env["PORT"]["value"]) == PORT
    # a fresh instance per deploy: the master key and JWT secret cannot be generated into the container
    assert env["PAPERCLIP_SECRETS_MASTER_KEY"].get("generateValue") and env["PAPERCLIP_AGENT_JWT_SECRET"].get(
        "generateValue"
    )
    values = {k: str(v["value"]) for k, v in env.items() if "value" in v}
    values |= {
        "PAPERCLIP_AUTH_PUBLIC_BASE_URL": "https://paperclip.onrender.com",
        "PAPERCLIP_STORAGE_S3_BUCKET": "b",
        "DATABASE_URL": "postgres://u:p@host:5432/paperclip",
    }
    assert_accepted(values, tmp_path)


def test_railway_json():
    railway = json.loads((ROOT / "deploy" / "railway.json").read_text(encoding="utf-8"))
    assert railway["build"]["builder"] == "DOCKERFILE"
    assert (ROOT / railway["build"]["dockerfilePath"]).is_file()
    assert railway["deploy"]["healthcheckPath"] == HEALTH


def test_ecs_task_definition(tmp_path):
    task = json.loads((ROOT / "deploy" / "ecs" / "task-definition.json").read_text(encoding="utf-8"))
    (container,) = task["containerDefinitions"]
    env = {e["name"]: e["value"] for e in container["environment"]}
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert_known(env.keys() | secrets.keys(), "ECS task definition")
    assert not env.keys() & secrets.keys()
    assert {"DATABASE_URL", "PAPERCLIP_SECRETS_MASTER_KEY", "PAPERCLIP_AGENT_JWT_SECRET"} <= secrets.keys()
    assert all(arn.startswith("arn:aws:secretsmanager:") for arn in secrets.values())
    assert "AWS_ACCESS_KEY_ID" not in env and task["taskRoleArn"]  # S3 through the task role
    assert [p["containerPort"] for p in container["portMappings"]] == [PORT] and env["PORT"] == str(PORT)
    check = " ".join(container["healthCheck"]["command"])
    assert f"127.0.0.1:{PORT}{HEALTH}" in check
    assert container["stopTimeout"] >= 10
    assert_accepted({**env, "DATABASE_URL": "postgres://u:p@rds:5432/paperclip"}, tmp_path)
    policy = json.loads((ROOT / "deploy" / "ecs" / "task-role-policy.json").read_text(encoding="utf-8"))
    resources = json.dumps(policy)
    assert f"arn:aws:s3:::{env['PAPERCLIP_STORAGE_S3_BUCKET']}" in resources


@pytest.mark.parametrize(
    "guide, mentions",
    [
        ("container.md", "Dockerfile"),
        ("compose.md", "docker-compose.yml"),
        ("fly.md", "deploy/fly.toml"),
        ("render.md", "deploy/render.yaml"),
        ("railway.md", "deploy/railway.json"),
        ("ecs.md", "deploy/ecs/task-definition.json"),
    ],
)
def test_each_recipe_has_a_guide(guide, mentions):
    text = (ROOT / "docs" / "deploy" / guide).read_text(encoding="utf-8")
    assert mentions in text and HEALTH in text
