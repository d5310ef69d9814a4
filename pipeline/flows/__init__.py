"""Prefect: the flows and tasks, the CLI's runner, scheduling and the local server."""
