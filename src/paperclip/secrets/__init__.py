"""Company secrets: the service, env bindings and strict mode, and the providers behind a protocol."""
