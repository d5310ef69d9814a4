"""The brief's writer: one LLM call per main story (``prompts/brief.*``), like the daily's.

Each answer becomes a ``StoryDraft`` (说明 the lead, 背景 and 要点 labelled facts, the
来源出处 link one of the story's own articles) and a category, so the daily's grounding
applies unchanged. An item the model did not write is left out and recorded as a
Failure; its extractive draft (:func:`extractive_brief`) is marked 【待编辑】.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pipeline import progress
from pipeline.errors import LLMError
from pipeline.llm.structured import Soft
from pipeline.models import DEGRADED_MARK, Article, BriefWrite, Fact, Failure, Story, StoryDraft
from pipeline.text.sentences import split_sentences
from pipeline.write.answers import ChineseText, Text
from pipeline.write.excerpt import NUMBER_RE, story_input
from pipeline.write.writer import LLMWriter

logger = logging.getLogger(__name__)

BRIEF_CATEGORIES = (
    "政策与监管",
    "模型与技术进展",
    "投融资与并购",
    "产品与应用发布",
    "行业落地与生态",
)
BRIEF_OUTPUT_TOKENS = 700  # a brief item is about 300 Chinese characters
# soft limits in 字 (pipeline.llm.repair.width), after the published brief
BRIEF_TITLE_WIDTH, BRIEF_TEXT_WIDTH, BRIEF_POINT_WIDTH = 40, 100, 50
SYSTEM = {"categories": BRIEF_CATEGORIES}  # the system prompts' variables besides the tag
BRIEF_POINTS = 4
BACKGROUND, POINT = "背景", "要点"
_ARTICLE_REF = re.compile(r"a(\d+)")
BRIEF_HINTS = (
    ("政策与监管", re.compile(r"政策|监管|法规|规划|政府|法案|部委|regulat|policy|law\b", re.I)),
    ("投融资与并购", re.compile(r"融资|估值|收购|并购|投资|IPO|上市|funding|raises|valuat", re.I)),
    ("模型与技术进展", re.compile(r"模型|开源|算法|芯片|论文|基准|model|open-source|chip", re.I)),
    ("产品与应用发布", re.compile(r"发布|上线|推出|应用|App\b|launch|release", re.I)),
)


class BriefItemOut(BaseModel):
    """The model's answer for one brief item."""

    model_config = ConfigDict(extra="ignore")

    title: Annotated[ChineseText, Soft(width=BRIEF_TITLE_WIDTH)] = Field(min_length=4)
    category: str
    explanation: Annotated[Text, Soft(width=BRIEF_TEXT_WIDTH)] = Field(min_length=8)
    background: Annotated[Text, Soft(width=BRIEF_TEXT_WIDTH)] = ""
    points: Annotated[list[Annotated[Text, Soft(width=BRIEF_POINT_WIDTH)]], Soft(items=4)] = Field(
        default_factory=list
    )
    source: str = ""  # id of the article the 来源出处 link points to


def brief_category(text: str) -> str:
    """A brief category from keywords, for items written without the LLM."""
    return next(
        (name for name, pattern in BRIEF_HINTS if pattern.search(text)), BRIEF_CATEGORIES[-1]
    )


def _article(story: Story, ref: str) -> Article:
    """The article a ``a1``-style id names (ids follow the story's article order)."""
    found = _ARTICLE_REF.fullmatch(ref.strip())
    index = int(found[1]) - 1 if found else -1
    return story.articles[index] if 0 <= index < len(story.articles) else story.primary


def brief_draft(story: Story, out: BriefItemOut) -> StoryDraft:
    """The model's item as a StoryDraft, so the daily's grounding checks apply unchanged."""
    facts = [Fact(label=BACKGROUND, text=out.background.strip())] if out.background.strip() else []
    facts += [Fact(label=POINT, text=p.strip()) for p in out.points[:BRIEF_POINTS] if p.strip()]
    return StoryDraft(
        story_id=story.id,
        headline=out.title.strip(),
        url=_article(story, out.source).url,
        lead=out.explanation.strip(),
        facts=facts,
    )


def extractive_brief(story: Story) -> StoryDraft:
    """A brief item from the primary article's own sentences, marked 【待编辑】."""
    sentences = split_sentences(story.primary.text)
    points = [s for s in sentences[1:] if NUMBER_RE.search(s)][:3]
    return StoryDraft(
        story_id=story.id,
        headline=DEGRADED_MARK + story.primary.title,
        url=story.primary.url,
        lead=sentences[0] if sentences else story.primary.title,
        facts=[Fact(label=POINT, text=p) for p in points],
        degraded=True,
    )


def to_brief(story: Story, out: BriefItemOut) -> tuple[StoryDraft, str]:
    """The model's item as a draft, and its category (guessed when it named none of ours)."""
    category = out.category if out.category in BRIEF_CATEGORIES else brief_category(out.title)
    return brief_draft(story, out), category


class BriefWriter(LLMWriter):
    """The brief's writer: every main story as an item; a failed one is left out."""

    async def write_brief_item(self, story: Story) -> BriefItemOut:
        """One brief item; raise LLMError when the endpoint cannot."""
        payload = story_input(story, self.llm.story_input_tokens, self.prompts)
        answer = await self._client().ask(
            "brief",
            BriefItemOut,
            payload,
            tag="article",
            max_tokens=BRIEF_OUTPUT_TOKENS,
            system=SYSTEM,
        )
        return answer.value

    async def write_brief(self, stories: Sequence[Story]) -> BriefWrite:
        """Every main story as a brief item; a failed one is left out and recorded."""
        if self.client is None:
            return BriefWrite()
        gate = asyncio.Semaphore(self.llm.concurrency)
        failures: list[Failure] = []

        async def one(story: Story) -> tuple[Story, BriefItemOut | None]:
            async with gate:
                try:
                    return story, await self.write_brief_item(story)
                except LLMError as exc:
                    logger.warning(
                        "brief item %s degraded: %s", story.id, exc, extra=progress.failure("write")
                    )
                    failures.append(Failure(url=story.primary.url, stage="write", error=str(exc)))
                    return story, None

        main = [s for s in stories if s.placement == "main"]
        async with self.client.session():
            answers = await asyncio.gather(*(one(s) for s in main))
        written = {story.id: to_brief(story, out) for story, out in answers if out is not None}
        return BriefWrite(
            drafts={sid: draft for sid, (draft, _) in written.items()},
            categories={sid: category for sid, (_, category) in written.items()},
            failures=failures,
            stats=self.stats.model_copy(),
        )
