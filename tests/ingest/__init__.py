"""Fast tests of pipeline/ingest/, without Prefect."""
