"""careeros.planner."""
