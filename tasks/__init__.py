"""Thin Prefect task wrappers around careeros domain functions.

careeros' own loggers log at ``CAREEROS_LOG_LEVEL`` (INFO) wherever tasks run, so their records reach the run's
log tab; a served flow run loads its entrypoint file without the ``flows`` package, so this is set here too.
"""

import logging
import os

logging.getLogger("careeros").setLevel(os.environ.get("CAREEROS_LOG_LEVEL", "INFO").upper())
