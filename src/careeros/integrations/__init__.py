"""careeros.integrations."""
