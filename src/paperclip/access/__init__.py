"""Access: the people-facing side of sign-in and membership, built on the actor foundation
(`paperclip.auth`). Sign-up/sign-in/sign-out and the session routes under /api/auth
(`auth_routes.py`, `accounts.py`, `passwords.py`, `throttle.py`), invites (`invites.py`), company
members and their grants (`members.py`), board API keys and CLI sign-in challenges (`board_keys.py`),
the board claim (`board_claim.py`), the headless first admin (`first_admin.py`) and the original's
access routes (`routes.py`). A feature: it may use api.deps, activity and agents; nothing in
`paperclip.auth` imports it."""
