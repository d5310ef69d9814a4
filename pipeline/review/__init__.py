"""Reviewing drafts: the table, editors' diffs and the review page."""
