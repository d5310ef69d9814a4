"""Shared storage: the SQLite archive and the file primitives (atomic writes, locks)."""
