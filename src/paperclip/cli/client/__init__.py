"""The client CLI: `paperclipai <group> <command>` against any Paperclip's REST API (ours or the original).

It speaks HTTP only (no database, no server code), imports nothing heavy until it must print a table,
and takes its connection from flags, then the agent run's environment, then the context profile.
"""
