"""Operations helpers: a local Prefect server launcher and warehouse checksums for reliability checks."""

from careeros.ops.checksums import table_checksums
from careeros.ops.server import LocalServer, free_port, start_local_server

__all__ = ["LocalServer", "free_port", "start_local_server", "table_checksums"]
