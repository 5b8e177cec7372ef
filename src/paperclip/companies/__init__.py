"""Companies: the tenants of an instance (list, create, get, patch, archive, delete, org chart)."""
