"""Fast tests of pipeline/review/, without Prefect."""
