"""The actor foundation: who is calling. The actor model and its company checks (`actor.py`),
resolution from a session cookie, a board or agent API key or a run JWT (`resolve.py`, with the
verified-token cache `actor_cache.py`), session rows (`sessions.py`), token hashing (`tokens.py`),
run JWTs (`run_jwt.py`), membership roles and permission grants (`memberships.py`), trusted origins
(`origins.py`) and id parsing for paths (`ids.py`). Imports no feature (an import-linter contract);
the sign-in, invite and membership features built on it live in `paperclip.access`."""
