"""Publish stage: drafts and records on disk, never losing an editor's edit."""
