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
from pipeline.formats.daily import covered_by
from pipeline.formats.weekly import Grounding, periodic_record, publish, run_numbers
from pipeline.markdown.document import BriefCategoryInput, BriefInput, BriefItemInput
from pipeline.markdown.render import build_brief, render_document
from pipeline.models import (
    Article,
    BriefWrite,
    ClusterResult,
    IngestReport,
    RunSummary,
    Story,
    StoryDraft,
)
from pipeline.store.archive import Archive
from pipeline.write.brief import (
    BACKGROUND,
    BRIEF_CATEGORIES,
    POINT,
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


def publish_brief(
    archive: Archive,
    settings: Settings,
    day: date,
    clusters: ClusterResult,
    written: BriefWrite,
    report: IngestReport,
    *,
    force: bool,
    articles: list[Article],
) -> RunSummary:
    """Ground, render and write the brief draft and its record."""
    data, drafts, findings = brief_input(day, clusters.stories, written)
    markdown = render_document(build_brief(data), settings.templates_dir)
    degraded = sum(d.degraded for d in drafts.values())
    failures = report.failures + written.failures
    grounding = Grounding(clusters.stories)
    grounding.by_story = findings
    stats = run_numbers(report, written, clusters, articles, grounding, degraded)
    record = periodic_record(
        "brief", day, clusters, drafts, findings, failures, stats, notes=report.notes
    )
    main = [s for s in clusters.stories if s.placement == "main"]
    published = covered_by(day, main, drafts)
    return publish(
        "brief", day.isoformat(), archive, settings, markdown, record, published, force=force
    )
