"""Fast tests of pipeline/write/, without Prefect."""
