"""careeros.quality."""
