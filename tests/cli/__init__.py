"""Fast tests of pipeline/cli/, without Prefect."""
