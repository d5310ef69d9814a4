"""An in-memory stand-in for the archive's LLM cache (the archive implements it over SQLite)."""

from __future__ import annotations


class DictCache:
    """The cache protocol (``cache_get``/``cache_put``) over a dict the test can inspect."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def cache_get(self, key: str) -> str | None:
        return self.data.get(key)

    def cache_put(self, key: str, value: str) -> None:
        self.data[key] = value
