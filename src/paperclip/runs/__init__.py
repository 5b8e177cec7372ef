"""A heartbeat run's lifecycle: the one home of every write to `heartbeat_runs` (lifecycle.py) and
its transition table (transitions.py). A foundation: it imports only the database, the vocabulary
and the queue primitives, so the runtime (heartbeat/) and the features that stop an agent's work
(agents, companies, costs) all use it without an import cycle. See heartbeat/README.md."""
