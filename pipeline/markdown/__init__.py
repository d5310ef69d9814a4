"""Markdown: the document model, rendering, parsing, lint and cover cards."""
