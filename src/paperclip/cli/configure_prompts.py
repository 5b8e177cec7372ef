"""The interactive questions of `paperclipai configure`, one function per section.

Each takes the section's current values (a dict, maybe empty) and returns the new ones; validation
of the whole file happens once, when it is written.
"""

from __future__ import annotations

from typing import Any

from paperclip.cli.onboard import validate_public_url


def _q():
    import questionary  # imported lazily: it pulls in prompt_toolkit, which non-interactive runs never need

    return questionary


def _int(label: str, current: Any, low: int, high: int) -> int:
    def valid(text: str) -> bool | str:
        return text.isdigit() and low <= int(text) <= high or f"Enter a number from {low} to {high}"

    return int(_q().text(label, default=str(current), validate=valid).unsafe_ask())


def _text(label: str, current: Any, *, allow_empty: bool = True) -> str | None:
    answer = (
        _q()
        .text(
            label,
            default=str(current or ""),
            validate=lambda t: allow_empty or bool(t.strip()) or "A value is required",
        )
        .unsafe_ask()
        .strip()
    )
    return answer or None


def _select(label: str, choices: list[str], current: Any) -> str:
    return (
        _q()
        .select(label, choices=choices, default=current if current in choices else choices[0])
        .unsafe_ask()
    )


def _confirm(label: str, current: Any) -> bool:
    return bool(_q().confirm(label, default=bool(current)).unsafe_ask())


def llm(cur: dict) -> dict:
    provider = _select("LLM provider", ["claude", "openai"], cur.get("provider"))
    api_key = _q().password("API key (leave empty to keep the current one)").unsafe_ask().strip()
    return {**cur, "provider": provider, "apiKey": api_key or cur.get("apiKey")}


def database(cur: dict) -> dict:
    mode = _select("Database", ["embedded-postgres", "postgres"], cur.get("mode", "embedded-postgres"))
    out = {**cur, "mode": mode}
    if mode == "postgres":
        out["connectionString"] = _text(
            "Connection string (postgres://user:pass@host:5432/db)",
            cur.get("connectionString"),
            allow_empty=False,
        )
    else:
        out["embeddedPostgresDataDir"] = _text(
            "Embedded PostgreSQL data directory", cur.get("embeddedPostgresDataDir")
        )
        out["embeddedPostgresPort"] = _int(
            "Embedded PostgreSQL port", cur.get("embeddedPostgresPort", 54329), 1, 65535
        )
    backup = dict(cur.get("backup") or {})
    backup["enabled"] = _confirm("Automatic database backups?", backup.get("enabled", True))
    if backup["enabled"]:
        backup["intervalMinutes"] = _int(
            "Backup interval (minutes)", backup.get("intervalMinutes", 60), 1, 10080
        )
        backup["retentionDays"] = _int("Keep backups for (days)", backup.get("retentionDays", 7), 1, 3650)
        backup["dir"] = _text("Backup directory", backup.get("dir"))
    out["backup"] = backup
    return out


def logging(cur: dict) -> dict:
    return {
        **cur,
        "mode": _select("Logging mode", ["file", "cloud"], cur.get("mode", "file")),
        "logDir": _text("Log directory", cur.get("logDir")),
    }


def server(cur: dict, auth: dict) -> tuple[dict, dict]:
    """The server section also sets auth.baseUrlMode/publicBaseUrl, which its mode depends on."""
    mode = _select(
        "Deployment mode", ["local_trusted", "authenticated"], cur.get("deploymentMode", "local_trusted")
    )
    out, auth = {**cur, "deploymentMode": mode}, dict(auth)
    if mode == "local_trusted":
        out.update(exposure="private", bind="loopback", host="127.0.0.1")
        out.pop("customBindHost", None)
        auth["baseUrlMode"] = "auto"
    else:
        out["exposure"] = _select("Exposure", ["private", "public"], cur.get("exposure", "private"))
        out["bind"] = _select("Bind", ["lan", "tailnet", "loopback", "custom"], cur.get("bind", "lan"))
        out["host"] = {"lan": "0.0.0.0", "loopback": "127.0.0.1"}.get(out["bind"], cur.get("host", "0.0.0.0"))
        if out["bind"] == "custom":
            out["customBindHost"] = _text("Bind host", cur.get("customBindHost"), allow_empty=False)
        if out["exposure"] == "public":
            url = (
                _q()
                .text(
                    "Public base URL",
                    default=auth.get("publicBaseUrl") or "https://",
                    validate=lambda v: validate_public_url(v) or True,
                )
                .unsafe_ask()
            )
            auth.update(baseUrlMode="explicit", publicBaseUrl=url.strip().rstrip("/"))
        hosts = _text("Allowed hostnames (comma separated)", ", ".join(cur.get("allowedHostnames") or []))
        out["allowedHostnames"] = sorted({h.strip().lower() for h in (hosts or "").split(",") if h.strip()})
    out["port"] = _int("Port", cur.get("port", 3100), 1, 65535)
    return out, auth


def storage(cur: dict) -> dict:
    provider = _select("Storage provider", ["local_disk", "s3"], cur.get("provider", "local_disk"))
    out = {**cur, "provider": provider}
    if provider == "local_disk":
        out["localDisk"] = {
            **(cur.get("localDisk") or {}),
            "baseDir": _text("Storage directory", (cur.get("localDisk") or {}).get("baseDir")),
        }
    else:
        s3 = dict(cur.get("s3") or {})
        s3["bucket"] = _text("S3 bucket", s3.get("bucket", "paperclip"), allow_empty=False)
        s3["region"] = _text("S3 region", s3.get("region", "us-east-1"), allow_empty=False)
        s3["endpoint"] = _text("S3 endpoint (empty for AWS)", s3.get("endpoint"))
        s3["prefix"] = _text("Key prefix", s3.get("prefix", "")) or ""
        s3["forcePathStyle"] = _confirm("Force path-style URLs (MinIO, R2)?", s3.get("forcePathStyle", False))
        out["s3"] = s3
    return out


def secrets(cur: dict) -> dict:
    local = dict(cur.get("localEncrypted") or {})
    local["keyFilePath"] = _text("Master key file", local.get("keyFilePath"))
    return {
        **cur,
        "provider": "local_encrypted",
        "strictMode": _confirm(
            "Strict mode (sensitive agent env values must be secret references)?",
            cur.get("strictMode", False),
        ),
        "localEncrypted": local,
    }
