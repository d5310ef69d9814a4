"""Fast tests of pipeline/publish/, without Prefect."""
