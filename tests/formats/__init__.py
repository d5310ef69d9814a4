"""Fast tests of pipeline/formats/, without Prefect."""
