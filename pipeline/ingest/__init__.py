"""Ingest stage: feeds and pages fetched under the URL policy, articles extracted."""
