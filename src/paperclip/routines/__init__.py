"""Routines: recurring work (core §2.17). A routine is an issue template with triggers (schedule, api,
webhook); every firing is a routine_runs row whose outcome is an issue, a coalesce, a skip or a failure."""
