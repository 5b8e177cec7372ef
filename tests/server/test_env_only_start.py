"""The container's start: `paperclipai run` from environment variables alone (the Dockerfile's ENV plus
the guide's `docker run -e ...`), no config file, no terminal; secrets it generates stay in the
secrets directory (the container's volume), so a re-created container keeps them."""

from __future__ import annotations

from pathlib import Path

import httpx

from .conftest import free_port


def container_env(home: Path, port: int, database_url: str) -> dict[str, str]:
    return {
        # the Dockerfile's ENV
        "PAPERCLIP_HOME": str(home),
        "PAPERCLIP_INSTANCE_ID": "default",
        "PAPERCLIP_CONFIG": str(home / "secrets" / "config.json"),
        "PAPERCLIP_SECRETS_MASTER_KEY_FILE": str(home / "secrets" / "master.key"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        # the guide's docker run line
        "DATABASE_URL": database_url,
        "PAPERCLIP_DEPLOYMENT_MODE": "authenticated",
        "PAPERCLIP_DEPLOYMENT_EXPOSURE": "public",
        "PAPERCLIP_AUTH_PUBLIC_BASE_URL": "https://paperclip.example.com",
        "PAPERCLIP_SECRETS_STRICT_MODE": "true",
        "PAPERCLIP_STORAGE_PROVIDER": "s3",
        "PAPERCLIP_STORAGE_S3_BUCKET": "paperclip-uploads",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "example-secret",
    }


def test_guide_docker_run_environment_starts_without_config_and_keeps_generated_secrets(
    start, database_url: str, paperclip_home: Path
):
    secrets_dir = paperclip_home / "secrets"
    secrets_dir.mkdir(mode=0o700)
    port = free_port()
    env = container_env(paperclip_home, port, database_url)
    server = start("run", env=env)
    health = server.wait_healthy(port)
    assert health.status_code == 200, health.text
    body = health.json()
    assert body["deploymentMode"] == "authenticated" and body["deploymentExposure"] == "public"
    deployment = body["deployment"]  # the guide's object; anonymous callers may get it without authReady
    assert (deployment["mode"], deployment["exposure"], deployment.get("authReady", True)) == (
        "authenticated",
        "public",
        True,
    )
    assert httpx.get(f"http://127.0.0.1:{port}/api/companies", timeout=10).status_code == 401
    generated = (secrets_dir / ".env").read_text()
    assert "PAPERCLIP_AGENT_JWT_SECRET=" in generated
    assert not (paperclip_home / "instances" / "default" / ".env").exists()
    assert not (secrets_dir / "config.json").exists()  # env-only: nothing written in its place
    assert server.terminate(timeout=10) == 0
    assert "Paperclip server stopped" in server.stderr

    # A re-created container: same volume, same variables -> same secrets, nothing regenerated.
    again = start("run", env=env)
    assert again.wait_healthy(port).status_code == 200
    assert (secrets_dir / ".env").read_text() == generated
    assert again.terminate(timeout=10) == 0
