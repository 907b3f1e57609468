"""Operations helpers: the home's local Prefect server (launcher, discovery, auth) and warehouse checksums.

Attributes load lazily so ``careeros.ops.server`` stays importable without duckdb or prefect.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LocalServer", "free_port", "start_local_server", "table_checksums"]


def __getattr__(name: str) -> Any:
    if name == "table_checksums":
        from careeros.ops.checksums import table_checksums

        return table_checksums
    if name in ("LocalServer", "free_port", "start_local_server"):
        from careeros.ops import server

        return getattr(server, name)
    raise AttributeError(name)
