"""What a claude-style agent is doing, read from its output as it streams (for the company websocket's
`currentToolName` and `lastAssistantSnippet`), and what a run says it concluded (`finalText`,
`contextSource`). Pure functions and a small per-run state; no I/O.

Only the CLI adapters that print JSON lines are parsed (claude_local: stream-json events, or the
single `--output-format json` result; codex_local: `--json` events); other adapters' output is
plain text, and the original sends null for them too."""

from __future__ import annotations

from typing import Any

import orjson

PARSED_ADAPTERS = frozenset({"claude_local", "codex_local"})
SNIPPET_CHARS = 240
FINAL_TEXT_CHARS = 10_000
_SOURCES = {"comment": "issue.comment", "comment.mention": "issue.comment.mention"}


def context_source(source: str | None) -> str | None:
    """The wake's source as the original names it (`issue.create`, `issue.update`, `issue.comment`);
    null for a manual or timer wake-up."""
    if not source:
        return None
    return _SOURCES.get(source, source)


def final_text(adapter_type: str | None, result_text: str | None, summary: str | None) -> str | None:
    """The agent's last answer: Claude's `result`, Codex's last message."""
    text = (
        result_text if adapter_type == "claude_local" else summary if adapter_type == "codex_local" else None
    )
    return text[:FINAL_TEXT_CHARS] if text else None


def _snippet(text: Any) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


class StreamState:
    """The last tool the agent started and the last thing it said, from its stdout lines."""

    __slots__ = ("tool", "snippet", "_partial")

    def __init__(self) -> None:
        self.tool: str | None = None
        self.snippet: str | None = None
        self._partial = ""

    def feed(self, chunk: str) -> None:
        lines = (self._partial + chunk).split("\n")
        self._partial = lines.pop()
        if len(self._partial) > 4 * 1024 * 1024:  # a line that never ends is not an event
            self._partial = ""
        for line in lines:
            line = line.strip()
            if line.startswith("{"):
                try:
                    event = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(event, dict):
                    self._event(event)

    def _event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "assistant":  # claude stream-json
            content = (event.get("message") or {}).get("content") or []
            for part in content if isinstance(content, list) else []:
                if not isinstance(part, dict):
                    continue
                if part.get("type") == "tool_use" and isinstance(part.get("name"), str):
                    self.tool = part["name"]
                elif part.get("type") == "text":
                    self.snippet = _snippet(part.get("text")) or self.snippet
        elif kind == "result":  # claude's final result (stream-json and json)
            self.tool = None
            self.snippet = _snippet(event.get("result")) or self.snippet
        elif kind in ("item.started", "item.completed"):  # codex --json
            item = event.get("item") or {}
            item_type = item.get("type") if isinstance(item, dict) else None
            if item_type == "agent_message":
                self.snippet = _snippet(item.get("text")) or self.snippet
            elif item_type in ("command_execution", "mcp_tool_call", "web_search", "file_change"):
                name = item.get("tool") if item_type == "mcp_tool_call" else item_type
                self.tool = str(name) if kind == "item.started" else None
