"""Fast tests of pipeline/stories/, without Prefect."""
