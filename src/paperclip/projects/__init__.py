"""Projects: status, lead agent, target date and goal links (project_goals)."""
