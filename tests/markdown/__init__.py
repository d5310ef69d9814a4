"""Fast tests of pipeline/markdown/, without Prefect."""
