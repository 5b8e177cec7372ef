"""Adapters: how a heartbeat reaches an agent (a local process, an HTTP endpoint, a coding-agent CLI)."""
