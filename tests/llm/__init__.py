"""Fast tests of pipeline/llm/, without Prefect."""
