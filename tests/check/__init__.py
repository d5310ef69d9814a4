"""Fast tests of pipeline/check/, without Prefect."""
