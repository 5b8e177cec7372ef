"""Goals: company → team → agent → task levels with a parent tree."""
