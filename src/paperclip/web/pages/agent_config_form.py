"""The adapter-aware agent configuration form: which fields each adapter has, and reading them back.

One declaration drives both the template (fieldsets per adapter, shown for the chosen adapter) and
the parser (only the chosen adapter's fields are read). Fields an adapter does not declare are kept
in an "extra configuration" JSON box; secret values are never sent to the browser: env values and
redacted extras are written back from the stored config when the form leaves them unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from paperclip.adapters.registry import adapters
from paperclip.redaction import REDACTED, is_redacted_env_value, redact_adapter_config
from paperclip.web.forms import FormData
from paperclip.web.pages.formkit import checkbox, field_error, integer

ROLES = [
    "ceo",
    "cto",
    "cmo",
    "cfo",
    "security",
    "engineer",
    "designer",
    "pm",
    "qa",
    "devops",
    "researcher",
    "general",
]


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text | int | lines | json | bool | textarea | select
    hint: str = ""
    options: tuple[str, ...] = ()


_PROMPT = Field("promptTemplate", "Prompt template", "textarea", "Leave empty for the default prompt")
ADAPTER_FIELDS: dict[str, list[Field]] = {
    "process": [
        Field("command", "Command", hint="The program to run, e.g. python3 (no shell)"),
        Field("args", "Arguments", "lines", "One argument per line"),
        Field("cwd", "Working directory"),
        Field("timeoutSec", "Timeout (seconds)", "int", "0 = no timeout"),
        Field("graceSec", "Grace before kill (seconds)", "int"),
    ],
    "http": [
        Field("url", "URL", hint="The agent's endpoint; Paperclip POSTs the wake-up to it"),
        Field("method", "Method", "select", options=("POST", "PUT", "PATCH", "GET")),
        Field("timeoutMs", "Timeout (milliseconds)", "int"),
        Field("headers", "Headers", "json", 'A JSON object, e.g. {"X-Team": "ops"}'),
        Field("payloadTemplate", "Payload template", "json", "A JSON object merged into the request body"),
    ],
    "claude_local": [
        Field("command", "CLI command", hint="Default: claude"),
        Field("model", "Model"),
        Field("cwd", "Working directory"),
        Field("maxTurnsPerRun", "Max turns per run", "int", "0 = the CLI's default"),
        Field("timeoutSec", "Timeout (seconds)", "int", "0 = no timeout"),
        Field("dangerouslySkipPermissions", "Skip permission prompts", "bool"),
        _PROMPT,
    ],
    "codex_local": [
        Field("command", "CLI command", hint="Default: codex"),
        Field("model", "Model"),
        Field("cwd", "Working directory"),
        Field("timeoutSec", "Timeout (seconds)", "int", "0 = no timeout"),
        Field("dangerouslyBypassApprovalsAndSandbox", "Bypass approvals and sandbox", "bool"),
        _PROMPT,
    ],
}
HEARTBEAT_FLAGS = [
    ("wakeOnAssignment", "Wake when assigned work"),
    ("wakeOnOnDemand", "Wake on demand (Wake now)"),
    ("wakeOnAutomation", "Wake on automation (approvals, mentions)"),
]


def adapter_types() -> list[str]:
    known = list(ADAPTER_FIELDS)
    return known + sorted(t for t in adapters() if t not in ADAPTER_FIELDS)


def field_value(field: Field, config: dict[str, Any]) -> str:
    """The value a form control shows for `field` (from a redacted config)."""
    value = config.get(field.key)
    if value is None:
        return ""
    if field.kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if field.kind == "json":
        return json.dumps(value, indent=2)
    return str(value)


def extra_config(adapter_type: str, config: dict[str, Any]) -> str:
    """The keys no field declares (env excluded), redacted, as pretty JSON ('' when none)."""
    declared = {f.key for f in ADAPTER_FIELDS.get(adapter_type, [])} | {"env"}
    rest = {k: v for k, v in redact_adapter_config(config).items() if k not in declared}
    return json.dumps(rest, indent=2) if rest else ""


def env_rows(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Existing env bindings for the form: names only; values stay on the server."""
    env = config.get("env")
    if not isinstance(env, dict):
        return []
    rows = []
    for name, value in env.items():
        kind = value.get("type") if isinstance(value, dict) else "plain"
        rows.append(
            {
                "name": name,
                "type": kind or "plain",
                "secretId": str(value.get("secretId"))
                if isinstance(value, dict) and value.get("secretId")
                else None,
            }
        )
    return rows


def _json_field(form: FormData, name: str, label: str) -> dict[str, Any] | None:
    raw = form.text(name)
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise field_error(name, f"{label}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(value, dict):
        raise field_error(name, f"{label}: must be a JSON object")
    return value


def _restore_redacted(value: Any, stored: Any) -> Any:
    """Put stored values back where the submitted JSON still carries the redaction placeholder."""
    if value == REDACTED:
        return stored
    if isinstance(value, dict) and isinstance(stored, dict):
        return {k: _restore_redacted(v, stored.get(k)) for k, v in value.items()}
    return value


def parse_adapter_config(
    form: FormData, adapter_type: str, stored: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The adapter config the form describes; `stored` (the raw current config) fills in unchanged secrets."""
    stored = stored or {}
    config: dict[str, Any] = {}
    extra = _json_field(form, "extraConfig", "Extra configuration")
    if extra:
        config.update(_restore_redacted(extra, {k: v for k, v in stored.items() if k != "env"}))
        config.pop("env", None)
    for field in ADAPTER_FIELDS.get(adapter_type, []):
        name = f"cfg.{adapter_type}.{field.key}"
        if field.kind == "bool":
            if checkbox(form, name):
                config[field.key] = True
            continue
        raw = form.text(name)
        if not raw:
            continue
        if field.kind == "int":
            config[field.key] = integer(form, name, lo=0, hi=10_000_000)
        elif field.kind == "lines":
            config[field.key] = [line.strip() for line in form.get(name, "").splitlines() if line.strip()]
        elif field.kind == "json":
            value = _json_field(form, name, field.label)
            if value is not None:
                config[field.key] = _restore_redacted(value, stored.get(field.key))
        elif field.kind == "select" and field.options and raw not in field.options:
            raise field_error(name, f"{field.label}: choose one of {', '.join(field.options)}")
        else:
            config[field.key] = raw
    stored_env = stored.get("env")
    env = parse_env(form, stored_env if isinstance(stored_env, dict) else {})
    if env:
        config["env"] = env
    return config


def parse_env(form: FormData, stored_env: dict[str, Any]) -> dict[str, Any]:
    """Rows `env.name` / `env.source` / `env.value` (repeated). Source `plain` (default) takes the value; an
    empty value for a name already stored keeps the stored binding; `secret:<id>` binds a company secret
    (latest version). A new plain name needs a value."""
    names, values, sources = form.getlist("env.name"), form.getlist("env.value"), form.getlist("env.source")
    env: dict[str, Any] = {}
    for i, raw_name in enumerate(names):
        name = raw_name.strip()
        value = values[i] if i < len(values) else ""
        source = sources[i].strip() if i < len(sources) else "plain"
        if not name:
            if value.strip():
                raise field_error("env.name", "An environment value needs a name")
            continue
        if not all(c.isalnum() or c == "_" for c in name) or name[0].isdigit():
            raise field_error(
                "env.name", f"{name}: names use letters, digits and _ and do not start with a digit"
            )
        if source.startswith("secret:"):
            env[name] = {
                "type": "secret_ref",
                "secretId": source.removeprefix("secret:"),
                "version": "latest",
            }
        elif value == "" and name in stored_env and not _is_secret_ref(stored_env[name]):
            env[name] = stored_env[name]
        elif value == "" or is_redacted_env_value(value):
            raise field_error("env.value", f"{name}: enter a value or choose a secret")
        else:
            env[name] = {"type": "plain", "value": value}
    return env


def _is_secret_ref(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "secret_ref"


async def company_secrets(session: Any, actor: Any, company_id: Any) -> list[Any]:
    """The company's secrets for the env source menus (names only; values never leave the server)."""
    try:
        from paperclip.secrets.service import list_secrets
    except ImportError:  # an install without the secrets feature
        return []
    return await list_secrets(session, actor, company_id)


def parse_runtime_config(form: FormData, stored: dict[str, Any] | None = None) -> dict[str, Any]:
    runtime = dict(stored or {})
    heartbeat = dict(runtime.get("heartbeat") or {}) if isinstance(runtime.get("heartbeat"), dict) else {}
    heartbeat["enabled"] = checkbox(form, "hb.enabled")
    heartbeat["intervalSec"] = integer(form, "hb.intervalSec", 0, lo=0, hi=31 * 86400)
    for key, _label in HEARTBEAT_FLAGS:
        heartbeat[key] = checkbox(form, f"hb.{key}")
    heartbeat["maxConcurrentRuns"] = integer(form, "hb.maxConcurrentRuns", 1, lo=1, hi=100)
    runtime["heartbeat"] = heartbeat
    return runtime


def heartbeat_form_values(runtime: dict[str, Any] | None) -> dict[str, Any]:
    from paperclip.heartbeat.policy import heartbeat_policy

    policy = heartbeat_policy(runtime)
    return {
        "enabled": policy.enabled,
        "intervalSec": policy.interval_sec,
        "wakeOnAssignment": policy.wake_on_assignment,
        "wakeOnOnDemand": policy.wake_on_demand,
        "wakeOnAutomation": policy.wake_on_automation,
        "maxConcurrentRuns": policy.max_concurrent_runs,
    }
