import json

d = json.load(open("/tmp/cliref/catalog.json"))
ABOUT = {
    "company": "Companies",
    "issue": "Issues: list, create, update, comment, checkout, documents, work products",
    "agent": "Agents: identity, inbox, lifecycle, configuration, wake-ups",
    "project": "Projects",
    "goal": "Goals",
    "approval": "Approvals",
    "activity": "Activity log (audit)",
    "dashboard": "Dashboard summary",
    "cost": "Costs and spend reports",
    "finance": "Finance events and summaries",
    "budget": "Budget policies and incidents",
    "org": "Organization chart",
    "token": "API tokens (board keys)",
    "agent-config": "Agent configurations (redacted)",
}
SPECIAL = {
    ("issue", "list"): "issue_list",
    ("issue", "get"): "issue_get",
    ("issue", "checkout"): "issue_checkout",
    ("issue", "release"): None,
    ("company", "current"): "company_current",
}
lines = [
    '"""The client command catalog: each command, the route it calls and where its flags go.',
    "",
    "Command and flag names follow the original CLI so scripts written for it run unchanged; each",
    "command's help names the route it calls.",
    '"""',
    "",
    "from __future__ import annotations",
    "",
    "from paperclip.cli.client.spec import Cmd, Opt",
    "",
    "STANDALONE = {",
    '    "health": Cmd("health", "GET", "/api/health", help="GET /api/health: the server\'s health"),',
    '    "whoami": Cmd("whoami", "GET", "/api/cli-auth/me", help="GET /api/cli-auth/me: who the credentials act as"),',
    "}",
    "",
    "GROUPS: dict[str, tuple[str, list[Cmd]]] = {",
    '    "health": ("GET /api/health: the server\'s health", []),',
    '    "whoami": ("GET /api/cli-auth/me: who the credentials act as", []),',
    '    "context": ("Context profiles (local file; no request)", [',
    '        Cmd("show", "", "", help="Show the active profile", handler="context_show"),',
    '        Cmd("list", "", "", help="List profiles", handler="context_list"),',
    '        Cmd("use", "", "", help="Set the active profile", args=("name",), handler="context_use"),',
    '        Cmd("set", "", "", help="Set values on a profile", handler="context_set", opts=(',
    '            Opt("--api-base", to="local", help="Default API base URL"),',
    '            Opt("--company-id", to="local", help="Default company ID"),',
    '            Opt("--persona", to="local", help="board or agent"),',
    '            Opt("--agent-id", to="local", help="Default agent ID (agent persona)"),',
    '            Opt("--agent-name", to="local", help="Default agent display name"),',
    '            Opt("--api-key-env-var-name", to="local", help="Environment variable holding the API key"),',
    '            Opt("--use", "bool", to="local", help="Make this profile the active one"))),',
    "    ]),",
]
for g, cmds in d["groups"].items():
    lines.append(f'    "{g}": ("{ABOUT.get(g, g)}", [')
    for c in cmds:
        parts = [repr(c["name"]), repr(c["method"]), repr(c["path"])]
        parts.append(f'help="{c["method"]} {c["path"]}"')
        if c["args"]:
            parts.append(
                "args=("
                + "".join(repr(a) + ", " for a in c["args"]).rstrip(", ")
                + ("," if len(c["args"]) == 1 else "")
                + ")"
            )
        handler = SPECIAL.get((g, c["name"]))
        if handler:
            parts.append(f"handler={handler!r}")
        if c["opts"]:
            os_ = []
            for o in c["opts"]:
                a = [repr(o["flag"])]
                if o["kind"] != "str":
                    a.append(repr(o["kind"]))
                if o["to"] != "body":
                    a.append(f"to={o['to']!r}")
                if o["key"]:
                    a.append(f"key={o['key']!r}")
                if o["short"]:
                    a.append(f"short={o['short']!r}")
                if o.get("default") is not None:
                    a.append(f"default={o['default']!r}")
                where = {
                    "body": "body field",
                    "query": "query parameter",
                    "payload": "JSON object sent as the body",
                    "local": "used by the CLI",
                }[o["to"]]
                h0, *r0 = o["flag"][2:].split("-")
                wire = o["key"] or (h0 + "".join(p[:1].upper() + p[1:] for p in r0))
                a.append(f'help="{where}' + (f" {wire}" if o["to"] in ("body", "query") else "") + '"')
                os_.append("Opt(" + ", ".join(a) + ")")
            parts.append("opts=(\n            " + ",\n            ".join(os_) + ",)")
        lines.append("        Cmd(" + ", ".join(parts) + "),")
    lines.append("    ]),")
lines.append("}")
open("/work/wt/cli/src/paperclip/cli/client/catalog.py", "w").write("\n".join(lines) + "\n")
