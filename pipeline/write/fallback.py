"""Extractive fallbacks: a story, 更多动态 line or digest text from the sources, no LLM."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date as Date

from pipeline.config import Section
from pipeline.models import DEGRADED_MARK, DigestMeta, Fact, MoreItem, Story, StoryDraft
from pipeline.text.sentences import join_sentences, split_sentences
from pipeline.write.excerpt import LEAD_SENTENCES, NUMBER_RE

CATEGORY_HINTS = (
    ("具身智能与机器人", re.compile(r"机器人|具身|人形|robot|humanoid", re.I)),
    ("大模型发布与开源", re.compile(r"模型|开源|发布|GPT|LLM|model|open-source|weights", re.I)),
    ("AI 应用与商业化", re.compile(r"应用|上线|接入|融资|用户|app|launch|funding", re.I)),
)


def guess_category(text: str) -> str:
    """A 更多动态 group from keywords, for lines written without the LLM."""
    return next((name for name, pattern in CATEGORY_HINTS if pattern.search(text)), "行业动态")


def extractive_draft(story: Story) -> StoryDraft:
    """A draft from the sources' own sentences, marked for the editor (no LLM)."""
    primary = story.primary
    sentences = split_sentences(primary.text)
    lead = join_sentences(sentences[:LEAD_SENTENCES]) or primary.title
    facts: list[Fact] = []
    used = set(sentences[:LEAD_SENTENCES])
    for article in story.articles:
        for sentence in split_sentences(article.text):
            if len(facts) < 3 and NUMBER_RE.search(sentence) and sentence not in used:
                used.add(sentence)
                facts.append(Fact(label=article.source, text=sentence, sources=[article.id]))
    return StoryDraft(
        story_id=story.id,
        headline=DEGRADED_MARK + primary.title,
        url=primary.url,
        lead=lead,
        facts=facts,
        degraded=True,
    )


def extractive_more(story: Story) -> MoreItem:
    """A 更多动态 line from the primary article's title and first sentence."""
    primary = story.primary
    first = next(iter(split_sentences(primary.text)), "")
    return MoreItem(
        story_id=story.id,
        title=primary.title,
        url=primary.url,
        text=first,
        category=guess_category(primary.title + first),
    )


def fallback_meta(
    drafts: Sequence[StoryDraft], sections: Sequence[Section], *, date: Date
) -> DigestMeta:
    """Digest text without the LLM: headlines as summary, default section titles, marked title."""
    headlines = [d.headline.removeprefix(DEGRADED_MARK) for d in drafts]
    first = f"：{headlines[0]}" if headlines else ""
    return DigestMeta(
        title=f"{DEGRADED_MARK}AI 日报 {date.isoformat()}{first}",
        summary=headlines[:8],
        section_titles={s.key: s.title for s in sections},
    )
