"""Fast tests of pipeline/text/, without Prefect."""
