"""careeros' Prefect flows (thin: each stage is a task over the domain in ``src/careeros``).

careeros' own loggers log at ``CAREEROS_LOG_LEVEL`` (INFO) wherever flows run, so their records reach the run's
log tab (the CLI and ``careeros serve`` attach Prefect's API handler with ``PREFECT_LOGGING_EXTRA_LOGGERS``).
"""

import logging
import os

logging.getLogger("careeros").setLevel(os.environ.get("CAREEROS_LOG_LEVEL", "INFO").upper())
