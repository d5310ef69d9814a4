"""Check stage: every number, name and link written is grounded in its sources."""
