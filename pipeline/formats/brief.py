"""The industry brief (AI行业动态), without Prefect: one item per main story of day D−1.

Each item is the LLM's answer (``prompts/brief.*``) turned into a ``StoryDraft`` so the
daily's grounding (:func:`pipeline.check.grounding.check_draft`) applies unchanged, then laid out
as 说明 / 背景 / 要点 / 来源出处 under the bold categories. An item the LLM did not
write is extractive and marked 【待编辑】.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from pipeline.check.grounding import check_draft
from pipeline.config import Settings
from pipeline.formats.daily import covered_by, expect, run_stats
from pipeline.formats.registry import Composition, Format
from pipeline.formats.weekly import periodic_record
from pipeline.ingest.gather import day_window
from pipeline.llm.client import Cache
from pipeline.llm.prompts import Prompts
from pipeline.markdown.document import BriefCategoryInput, BriefInput, BriefItemInput
from pipeline.markdown.render import build_brief, render_document
from pipeline.models import BriefWrite, RenderedDraft, Story, StoryDraft
from pipeline.write.brief import (
    BACKGROUND,
    BRIEF_CATEGORIES,
    POINT,
    BriefWriter,
    brief_category,
    extractive_brief,
)

log = logging.getLogger(__name__)


def brief_settings(settings: Settings) -> Settings:
    """Settings for the brief: the configured main stories, no long tail."""
    return settings.model_copy(
        update={"digest": settings.digest.model_copy(update={"more_items": 0})}
    )


def brief_item(story: Story, draft: StoryDraft) -> BriefItemInput:
    """The template's item; the 来源出处 link is the draft's (always one of the story's)."""
    source = next((a for a in story.articles if a.url == draft.url), story.primary)
    return BriefItemInput(
        title=draft.headline,
        explanation=draft.lead,
        background=next((f.text for f in draft.facts if f.label == BACKGROUND), ""),
        points=[f.text for f in draft.facts if f.label == POINT],
        source_name=source.source,  # the configured outlet name; site_name is often a title
        source_url=source.url,
    )


def brief_input(
    day: date, stories: Sequence[Story], written: BriefWrite
) -> tuple[BriefInput, dict[str, StoryDraft], dict[str, list[str]]]:
    """The brief's template input, grouped by category; drafts and findings per story."""
    grouped: dict[str, list[BriefItemInput]] = {name: [] for name in BRIEF_CATEGORIES}
    drafts: dict[str, StoryDraft] = {}
    findings: dict[str, list[str]] = {}
    for story in (s for s in stories if s.placement == "main"):
        # an item the model did not write is the sources' own words: checked all the same
        checked = check_draft(written.drafts.get(story.id) or extractive_brief(story), story)
        drafts[story.id], findings[story.id] = checked.draft, checked.unsupported
        category = written.categories.get(story.id, "")
        if category not in grouped:
            category = brief_category(story.primary.title)
        grouped[category].append(brief_item(story, checked.draft))
    categories = [BriefCategoryInput(name=k, items=v) for k, v in grouped.items() if v]
    return BriefInput(date=day, categories=categories), drafts, findings


def compose_brief(c: Composition) -> RenderedDraft:
    """Ground and render the brief draft and its record."""
    written = expect(c.written, BriefWrite)
    data, drafts, findings = brief_input(c.day, c.clusters.stories, written)
    markdown = render_document(build_brief(data), c.settings.templates_dir)
    degraded = sum(d.degraded for d in drafts.values())
    failures = c.report.failures + written.failures
    stats = run_stats(c.report, written.stats, c.clusters, c.articles, findings, [], degraded)
    record = periodic_record(
        "brief", c.day, c.clusters, drafts, findings, failures, stats, notes=c.report.notes
    )
    main = [s for s in c.clusters.stories if s.placement == "main"]
    return RenderedDraft(markdown=markdown, record=record, covered=covered_by(c.day, main, drafts))


async def write_brief(
    stories: list[Story], settings: Settings, day: date, no_llm: bool, cache: Cache
) -> BriefWrite:
    """The brief's write stage: one call per main story (extractive per item on failure)."""
    prompts = Prompts(settings.prompts_dir)
    writer = BriefWriter(settings.llm, cache=cache, no_llm=no_llm, prompts=prompts)
    return await writer.write_brief(stories)


FORMAT = Format(
    name="brief",
    window=day_window,
    stem=date.isoformat,
    stories=brief_settings,
    write=write_brief,
    compose=compose_brief,
    document="brief",
)
