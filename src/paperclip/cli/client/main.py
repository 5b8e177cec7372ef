"""Entry of the client commands: parse, resolve the connection, call the API, print."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from paperclip.cli.client import http
from paperclip.cli.client.catalog import GROUPS
from paperclip.cli.client.spec import Cmd, Opt

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


_CONNECTION_FLAGS = (
    (("-c", "--config"), "Path to the instance config.json (for the default API address)"),
    (("-d", "--data-dir"), "Paperclip home (default ~/.paperclip or $PAPERCLIP_HOME)"),
    (("--context",), "Path to the CLI context file"),
    (("--profile",), "Context profile name"),
    (("--api-base",), "API base URL (default: $PAPERCLIP_API_URL, the profile, the local instance)"),
    (("--api-key",), "Bearer token (default: $PAPERCLIP_API_KEY or the profile's key variable)"),
    (("--run-id",), "Heartbeat run id for agent mutations (default: $PAPERCLIP_RUN_ID)"),
)


def _common(parser: argparse.ArgumentParser, cmd: Cmd | None) -> None:
    own = {opt.flag for opt in cmd.opts} if cmd is not None else set()
    group = parser.add_argument_group("connection")
    for names, text in _CONNECTION_FLAGS:
        if names[-1] not in own:
            group.add_argument(*names, help=text)
    parser.add_argument("--json", action="store_true", help="Print the API's JSON body")
    if cmd is not None and cmd.needs_company and "--company-id" not in own:
        parser.add_argument(
            "-C", "--company-id", help="Company ID (default: $PAPERCLIP_COMPANY_ID or the profile)"
        )


def _add_opt(parser: argparse.ArgumentParser, opt: Opt) -> None:
    short = opt.short or ("-C" if opt.flag == "--company-id" else None)
    names = [short, opt.flag] if short else [opt.flag]
    if opt.kind == "bool":
        parser.add_argument(*names, dest=opt.dest, action="store_true", help=opt.help)
    elif opt.kind == "int":
        parser.add_argument(*names, dest=opt.dest, type=int, metavar="N", help=opt.help)
    elif opt.kind == "list":
        parser.add_argument(*names, dest=opt.dest, nargs="+", help=opt.help)
    else:
        parser.add_argument(*names, dest=opt.dest, default=opt.default, help=opt.help)


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    """Only the named group's commands are built, and only the named command with its flags: a call
    pays for one command's parser, not three hundred."""
    parser = argparse.ArgumentParser(prog="paperclipai", description="Paperclip client commands")
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    wanted_group = argv[0] if argv else None
    wanted_cmd = argv[1] if len(argv) > 1 else None
    for group, (about, commands) in GROUPS.items():
        gp = groups.add_parser(group, help=about, description=about)
        if group != wanted_group:
            continue
        if not commands:  # a command on its own (health, whoami)
            gp.set_defaults(cmd=about_cmd(group))
            _common(gp, None)
            continue
        subs = gp.add_subparsers(dest="command", metavar="COMMAND", required=True)
        for cmd in commands:
            sp = subs.add_parser(cmd.name, help=cmd.help, description=cmd.help)
            if cmd.name != wanted_cmd:
                continue
            for arg in cmd.args:
                sp.add_argument(arg)
            for opt in cmd.opts:
                _add_opt(sp, opt)
            _common(sp, cmd)
            sp.set_defaults(cmd=cmd)
    return parser


def about_cmd(group: str) -> Cmd:
    from paperclip.cli.client.catalog import STANDALONE

    return STANDALONE[group]


def _value(opt: Opt, raw: object) -> object:
    if opt.kind == "csv":
        return [part.strip() for part in str(raw).split(",") if part.strip()]
    if opt.kind == "json":
        try:
            return json.loads(str(raw))
        except ValueError as exc:
            raise UsageError(f"{opt.flag}: not valid JSON ({exc})") from exc
    if opt.kind == "file":
        try:
            return Path(str(raw)).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{opt.flag}: cannot read {raw} ({exc.strerror})") from exc
    if opt.kind == "nullable":
        return None if raw == "null" else raw
    return raw


class UsageError(Exception):
    pass


def build_request(cmd: Cmd, args: argparse.Namespace, conn) -> tuple[str, dict, object]:
    values = {name: getattr(args, name) for name in cmd.args}
    for opt in cmd.opts:  # a path may also take a flag's value (`token agent create --agent ID`)
        if opt.to == "local" and getattr(args, opt.dest, None) is not None:
            values.setdefault(opt.dest, getattr(args, opt.dest))

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name == "companyId" and "companyId" not in values:
            if not conn.company_id:
                raise UsageError(
                    "a company is needed: pass -C/--company-id, set PAPERCLIP_COMPANY_ID, "
                    "or `paperclipai context set --company-id ID`"
                )
            return conn.company_id
        if values.get(name) is None:
            raise UsageError(f"--{name} is required")
        from urllib.parse import quote

        return quote(str(values[name]), safe="")

    path = _PLACEHOLDER.sub(fill, cmd.path)
    query: dict = {}
    body: dict | None = {} if cmd.method in ("POST", "PUT", "PATCH") else None
    for opt in cmd.opts:
        raw = getattr(args, opt.dest, None)
        if raw is None and opt.flag == "--company-id" and opt.to != "local":
            raw = conn.company_id  # the environment's or the profile's company, like -C
        if raw is None or raw is False or opt.to == "local":
            continue
        value = _value(opt, raw)
        if opt.to == "query":
            query[opt.wire] = ",".join(value) if isinstance(value, list) else value
        elif opt.to == "payload":
            if not isinstance(value, dict):
                raise UsageError(f"{opt.flag}: expected a JSON object")
            body = {**(body or {}), **value}
        else:
            body = body if body is not None else {}
            body[opt.wire] = value
    return path, query, body


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) > 2 and argv[0] == "token" and argv[1] in ("agent", "board"):
        argv[1:3] = [
            f"{argv[1]}:{argv[2]}"
        ]  # the original's `token agent create` is our `token agent:create`
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    cmd: Cmd = args.cmd
    from paperclip.cli.client import output
    from paperclip.cli.client.connection import resolve

    try:
        conn = resolve(args, dict(os.environ))
        if cmd.handler:
            from paperclip.cli.client import special

            body = getattr(special, cmd.handler)(cmd, args, conn)
        else:
            path, query, payload = build_request(cmd, args, conn)
            _, body, _ = http.request(conn, cmd.method, path, query=query, body=payload)
        if body is not None or not cmd.handler:  # a handler that printed its own text returns None
            output.emit(body, args.json)
        return 0
    except UsageError as exc:
        parser.exit(http.EXIT_USAGE, f"paperclipai: error: {exc}\n")
    except http.ApiError as exc:
        if args.json and exc.body is not None and not isinstance(exc.body, bytes):
            sys.stdout.write(json.dumps(exc.body, indent=2) + "\n")
        sys.stderr.write(f"error: {exc.status} {exc}\n")
        return http.EXIT_API_REFUSED
    except http.ConnectionFailed as exc:
        sys.stderr.write(f"error: {exc}\n")
        return http.EXIT_CONNECTION
    return 0
