"""Package data of careeros (``data/``), importable as ``careeros_data``; see ``careeros.resources``."""
