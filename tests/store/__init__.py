"""Fast tests of pipeline/store/, without Prefect."""
