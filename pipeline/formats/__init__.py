"""The output formats: one registry entry per format (daily, weekly, brief)."""
