"""careeros.graph."""
