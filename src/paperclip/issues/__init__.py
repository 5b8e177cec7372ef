"""Issues: the unit of work (status machine, identifiers, checkout, comments, labels, blockers)."""
