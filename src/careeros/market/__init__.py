"""careeros.market."""
