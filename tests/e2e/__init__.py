"""End to end: every test that needs Prefect (its harness, a real server) or real digest processes."""
