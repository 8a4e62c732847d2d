"""HTTP API (FastAPI) for the monitoring office and the analysts' pages."""
