"""Fast tests of pipeline/flows/, without Prefect."""
