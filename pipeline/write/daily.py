"""The write stage: stories → StoryDraft, digest title/summary/section titles, 更多动态 lines.

Prompts are Jinja2 templates in ``prompts/``; article text travels as data inside
delimiters carrying a per-call random token. Each story's input is trimmed to a
token budget (:mod:`pipeline.write.excerpt`). A story the LLM cannot write gets an extractive
draft marked 【待编辑】 (:mod:`pipeline.write.fallback`) and a Failure, and the run goes on;
``no_llm`` writes the whole draft that way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import date as Date

from pydantic import BaseModel

from pipeline import progress
from pipeline.config import LLMSettings, Section
from pipeline.errors import ConfigError, LLMError
from pipeline.llm.client import Cache
from pipeline.llm.prompts import Prompts
from pipeline.llm.repair import Echo
from pipeline.llm.structured import strict_schema
from pipeline.models import (
    DigestMeta,
    Failure,
    LLMStats,
    MoreItem,
    Story,
    StoryDraft,
    WriteResult,
)
from pipeline.text.sentences import estimate_tokens
from pipeline.write.answers import (
    MORE_CATEGORIES,
    ChineseText,
    DigestOut,
    FactOut,
    MoreOut,
    StoryOut,
    require_chinese,
    to_draft,
    to_meta,
    to_more,
)
from pipeline.write.excerpt import digest_input, story_input
from pipeline.write.fallback import extractive_draft, extractive_more, fallback_meta
from pipeline.write.writer import LLMWriter

logger = logging.getLogger(__name__)

HAN_RE = re.compile(r"[\u4e00-\u9fff]")
# Output room each call needs (tokens): a story is a few hundred Chinese characters; the
# digest call grows with its 更多动态 lines and sections. A cut-off answer is completed
# from what it wrote (pipeline.llm.structured), so these are generous, not exact.
STORY_OUTPUT_TOKENS = 1400
DIGEST_OUTPUT_BASE, DIGEST_OUTPUT_PER_MORE, DIGEST_OUTPUT_PER_SECTION = 700, 70, 40
__all__ = [
    "MORE_CATEGORIES",
    "ChineseText",
    "DigestOut",
    "FactOut",
    "MoreOut",
    "StoryOut",
    "require_chinese",
    "to_draft",
    "to_meta",
    "to_more",
]


# ---------------------------------------------------------------- output schemas
# StoryOut, DigestOut and their parts live in pipeline.write.answers (soft limits, salvage).


# Output schema of each prompt kind (for sizing the system prompt).
SCHEMAS: dict[str, type[BaseModel]] = {
    "story": StoryOut,
    "digest": DigestOut,
}
# The least article text a story is sent, however long the system prompt grows.
MIN_STORY_BUDGET = 600
SYSTEM = {"categories": MORE_CATEGORIES}  # the system prompts' variables besides the tag


# ---------------------------------------------------------------- the writer


class Writer(LLMWriter):
    """The daily's writer: every main story, then the digest text, in Chinese; no tools."""

    def __init__(
        self,
        llm: LLMSettings,
        *,
        cache: Cache | None = None,
        no_llm: bool = False,
        prompts: Prompts | None = None,
    ) -> None:
        super().__init__(llm, cache=cache, no_llm=no_llm, prompts=prompts)
        self._system_texts: dict[str, str] = {}

    def prompt_text(self, kind: str) -> str:
        """A kind's system prompt in its longest form (schema and example inline)."""
        if kind not in self._system_texts:
            self._system_texts[kind] = self.prompts.render(
                f"{kind}.system.j2",
                mode="json_object",
                example=self.prompts.example(kind),
                schema=json.dumps(strict_schema(SCHEMAS[kind]), ensure_ascii=False),
                tag="article",
                categories=MORE_CATEGORIES,
            )
        return self._system_texts[kind]

    def _system_tokens(self, kind: str) -> int:
        """Tokens of a kind's system prompt in its longest form."""
        return estimate_tokens(self.prompt_text(kind))

    async def write_story(self, story: Story) -> StoryDraft:
        """Write one main story; raise LLMError when the endpoint cannot."""
        budget = max(MIN_STORY_BUDGET, self.llm.story_input_tokens - self._system_tokens("story"))
        payload = story_input(story, budget, self.prompts)
        answer = await self._client().ask(
            "story", StoryOut, payload, tag="article", max_tokens=STORY_OUTPUT_TOKENS, system=SYSTEM
        )
        draft = to_draft(
            story,
            answer.value,
            market=payload["market"],
            repairs=answer.repairs,
            prompt=self.prompt_text("story"),
        )
        self.stats.repairs += len(draft.repairs) - len(answer.repairs)
        return draft

    async def write_meta(
        self,
        main: Sequence[Story],
        drafts: Mapping[str, StoryDraft],
        more: Sequence[Story],
        sections: Sequence[Section],
        *,
        date: Date,
    ) -> tuple[DigestMeta, list[MoreItem], list[str]]:
        """Title, summary, section titles and 更多动态 lines, in one call; the third value
        names the parts that were left to their fallback."""
        payload = digest_input(main, drafts, more, sections, date=date)
        room = DIGEST_OUTPUT_BASE + DIGEST_OUTPUT_PER_MORE * len(payload["more"])
        room += DIGEST_OUTPUT_PER_SECTION * len(payload["sections"])
        answer = await self._client().ask(
            "digest", DigestOut, payload, tag="story", max_tokens=room, system=SYSTEM
        )
        out = answer.value
        written = [drafts[s.id] for s in main if s.id in drafts]
        asked = {sec["key"]: sec["headlines"] for sec in payload["sections"]}
        echo = Echo(self.prompt_text("digest"), [answer.user])
        others = [m["title"] for m in payload["more"]]
        meta, degraded = to_meta(
            out, sections, written, date=date, asked=asked, echo=echo, others=others
        )
        items, missing = to_more(more, out)
        return meta, items, degraded + missing

    async def write_digest(
        self, stories: Sequence[Story], sections: Sequence[Section], *, date: Date
    ) -> WriteResult:
        """Write the whole draft; failures degrade to extractive text and are reported."""
        main = [s for s in stories if s.placement == "main"]
        more = [s for s in stories if s.placement == "more"]
        if self.client is None:
            drafts = {s.id: extractive_draft(s) for s in main}
            meta = fallback_meta(list(drafts.values()), sections, date=date)
            stats = LLMStats(degraded_stories=len(drafts))
            return WriteResult(
                drafts=drafts, meta=meta, more=[extractive_more(s) for s in more], stats=stats
            )
        async with self.client.session():
            drafts, failures = await self._write_stories(main)
            meta, more_items = await self._write_meta_safe(
                main, drafts, more, sections, date, failures
            )
        stats = self.client.stats.model_copy()
        stats.degraded_stories = sum(d.degraded for d in drafts.values())
        return WriteResult(
            drafts=drafts, meta=meta, more=more_items, failures=failures, stats=stats
        )

    async def _write_stories(
        self, main: Sequence[Story]
    ) -> tuple[dict[str, StoryDraft], list[Failure]]:
        gate = asyncio.Semaphore(self.llm.concurrency)
        failures: list[Failure] = []

        async def one(story: Story) -> StoryDraft:
            async with gate:
                try:
                    return await self.write_story(story)
                except ConfigError:
                    raise  # no API key for an answer not in the cache: the run must stop
                except LLMError as exc:
                    logger.warning(
                        "story %s degraded: %s", story.id, exc, extra=progress.failure("stories")
                    )
                    failures.append(Failure(url=story.primary.url, stage="write", error=str(exc)))
                    return extractive_draft(story)
                except Exception as exc:  # a bug on one story's path must not lose the draft
                    logger.exception(
                        "story %s degraded by an unexpected error",
                        story.id,
                        extra=progress.failure("stories"),
                    )
                    error = f"unexpected error: {exc!r}"
                    failures.append(Failure(url=story.primary.url, stage="write", error=error))
                    return extractive_draft(story)
                finally:
                    progress.advance("stories")

        with progress.stage("stories", len(main)):
            drafts = await asyncio.gather(*(one(s) for s in main))
        return {d.story_id: d for d in drafts}, failures

    async def _write_meta_safe(
        self,
        main: Sequence[Story],
        drafts: dict[str, StoryDraft],
        more: Sequence[Story],
        sections: Sequence[Section],
        date: Date,
        failures: list[Failure],
    ) -> tuple[DigestMeta, list[MoreItem]]:
        if not drafts and not more:
            return fallback_meta([], sections, date=date), []
        try:
            meta, items, degraded = await self.write_meta(main, drafts, more, sections, date=date)
        except ConfigError:
            raise  # no API key for an answer not in the cache: the run must stop
        except Exception as exc:  # LLMError, or a bug: either way the draft is still written
            if isinstance(exc, LLMError):
                logger.warning("digest text degraded: %s", exc, extra=progress.failure("write"))
            else:
                logger.exception(
                    "digest text degraded by an unexpected error", extra=progress.failure("write")
                )
            error = str(exc) if isinstance(exc, LLMError) else f"unexpected error: {exc!r}"
            failures.append(Failure(url=f"digest:{date.isoformat()}", stage="write", error=error))
            meta = fallback_meta(list(drafts.values()), sections, date=date)
            return meta, [extractive_more(s) for s in more]
        self._report_parts(degraded, more, date, failures)
        return meta, items

    def _report_parts(
        self, degraded: Sequence[str], more: Sequence[Story], date: Date, failures: list[Failure]
    ) -> None:
        """Record the digest parts left to their fallback; the extractive ones are failures."""
        self.stats.degraded_parts += len(degraded)
        for part in degraded:
            logger.warning("digest part left to its fallback: %s", part)
            if part.startswith("更多动态 m"):
                story = more[int(part.removeprefix("更多动态 m")) - 1]
                error = "更多动态 line not written by the LLM: extractive line used"
                failures.append(Failure(url=story.primary.url, stage="write", error=error))
            elif part == "title":
                error = "digest title not usable: extractive title marked 【待编辑】 used"
                failures.append(
                    Failure(url=f"digest:{date.isoformat()}", stage="write", error=error)
                )


async def write_digest(
    stories: Sequence[Story], sections: Sequence[Section], *, date: Date, writer: Writer
) -> WriteResult:
    """The coarse unit the flow calls: every main story, the digest text, the 更多动态 lines."""
    return await writer.write_digest(stories, sections, date=date)
