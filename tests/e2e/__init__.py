"""End to end: every test that needs Prefect (harness, real server) or real digest processes."""
