"""Checks before any work, at the CLI and in a flow run: a run that cannot succeed stops here."""

from __future__ import annotations

from pipeline.config import Settings
from pipeline.errors import ConfigError


def preflight(settings: Settings, *, offline: bool, no_llm: bool) -> None:
    """Fail before any work when the run cannot succeed: no LLM key, no sources.

    Offline, the key is asked for only by a call whose answer is not in the LLM cache:
    a rerun answered from the cache needs none.
    """
    from pipeline.llm.client import require_api_key  # imports the openai client: seconds

    if not (no_llm or offline):
        require_api_key(settings.llm)
    if not offline and not settings.sources:
        raise ConfigError("no sources configured: add [[sources]] to digest.toml")
