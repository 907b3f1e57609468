"""careeros.memory."""
