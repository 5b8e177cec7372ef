"""The shape of a client command: which route it calls and where each argument goes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Opt:
    flag: str  # "--assignee-agent-id"
    kind: str = "str"  # str | int | csv | json | bool | file | list | nullable
    to: str = "body"  # body | query | payload (a JSON object merged into the body) | local
    key: str | None = None  # wire name; None: the flag in camelCase
    help: str = ""
    short: str | None = None
    default: object = None  # sent when the flag is not given (the original's defaults, e.g. format=markdown)

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_").replace(":", "_")

    @property
    def wire(self) -> str:
        if self.key:
            return self.key
        head, *rest = self.flag.lstrip("-").split("-")
        return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class Cmd:
    name: str
    method: str
    path: str  # "/api/issues/{issueId}/comments"; {companyId} comes from -C / the environment / the profile
    help: str = ""
    args: tuple[str, ...] = ()
    opts: tuple[Opt, ...] = field(default_factory=tuple)
    handler: str | None = (
        None  # a function in paperclip.cli.client.special for commands that do more than one call
    )

    @property
    def needs_company(self) -> bool:
        return "{companyId}" in self.path and "companyId" not in self.args
