"""Built-in survey question sets, as data (`*.yaml`); loaded by `ingest.survey`."""
