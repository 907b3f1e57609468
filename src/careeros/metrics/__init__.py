"""careeros.metrics."""
