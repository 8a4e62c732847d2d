"""Orchestration: the CLI, the config, the Prefect flows. Thin wiring over the packages."""

import os

# Before Prefect is imported anywhere: no telemetry (there is no internet, and its heartbeat
# fights the ephemeral server for the SQLite lock), a patient ephemeral-server start on a
# busy 2-core machine, and single-threaded BLAS for natasha/numpy.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
