"""careeros.agents."""
