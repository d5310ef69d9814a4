"""What every format's writer holds: the LLM settings, the prompts, one client (or none).

The client is the LLM seam (:meth:`pipeline.llm.client.LLMClient.ask`): a writer names a
prompt kind, a schema and a payload, and gets a validated answer or an ``LLMError``.
Without the LLM (``no_llm``) there is no client and every part is extractive.
"""

from __future__ import annotations

from pipeline.config import LLMSettings
from pipeline.errors import LLMError
from pipeline.llm.client import Cache, LLMClient
from pipeline.llm.prompts import PROMPTS_DIR, Prompts
from pipeline.models import LLMStats


class LLMWriter:
    """A writer's LLM settings, prompts and client; ``no_llm`` means no client at all."""

    def __init__(
        self,
        llm: LLMSettings,
        *,
        cache: Cache | None = None,
        no_llm: bool = False,
        prompts: Prompts | None = None,
    ) -> None:
        self.llm = llm
        self.no_llm = no_llm
        self.prompts = prompts or Prompts(PROMPTS_DIR)
        self.client = None if no_llm else LLMClient(llm, prompts=self.prompts, cache=cache)

    @property
    def stats(self) -> LLMStats:
        """Counters of every call made (or answered from cache) so far."""
        return self.client.stats if self.client else LLMStats()

    def _client(self) -> LLMClient:
        if self.client is None:
            raise LLMError("the writer runs with no_llm: no LLM calls")
        return self.client
