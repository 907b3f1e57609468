"""DuckDB warehouse: connections, migrations, provenance, runs and quarantine."""

from careeros.warehouse.db import connect, ensure_schema, read_frame
from careeros.warehouse.provenance import Provenance, new_run_id

__all__ = ["connect", "ensure_schema", "read_frame", "Provenance", "new_run_id"]
