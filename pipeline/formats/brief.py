"""The industry brief (AI行业动态), without Prefect: one item per main story of day D−1.

Each item is the LLM's answer (``prompts/brief.*``) turned into a ``StoryDraft`` so the
daily's grounding (:func:`pipeline.check.grounding.check_draft`) applies unchanged, then laid out
as 说明 / 背景 / 要点 / 来源出处 under the bold categories. An item the LLM did not
write is extractive and marked 【待编辑】.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date

from pipeline.check.grounding import check_draft
from pipeline.config import Settings
from pipeline.flows.steps import IngestReport
from pipeline.formats.daily import RunSummary, published_of
from pipeline.formats.weekly import Grounding, periodic_record, publish, run_numbers
from pipeline.markdown.document import BriefCategoryInput, BriefInput, BriefItemInput
from pipeline.markdown.render import build_brief, render_document
from pipeline.models import DEGRADED_MARK, Article, Fact, Story, StoryDraft
from pipeline.store.archive import Archive
from pipeline.stories.cluster import ClusterResult
from pipeline.write.excerpt import NUMBER_RE, split_sentences
from pipeline.write.periodic import BRIEF_CATEGORIES, BriefItemOut, BriefWrite

log = logging.getLogger(__name__)

BRIEF_POINTS = 4
BACKGROUND, POINT = "背景", "要点"
_ARTICLE_REF = re.compile(r"a(\d+)")
BRIEF_HINTS = (
    ("政策与监管", re.compile(r"政策|监管|法规|规划|政府|法案|部委|regulat|policy|law\b", re.I)),
    ("投融资与并购", re.compile(r"融资|估值|收购|并购|投资|IPO|上市|funding|raises|valuat", re.I)),
    ("模型与技术进展", re.compile(r"模型|开源|算法|芯片|论文|基准|model|open-source|chip", re.I)),
    ("产品与应用发布", re.compile(r"发布|上线|推出|应用|App\b|launch|release", re.I)),
)


def brief_settings(settings: Settings) -> Settings:
    """Settings for the brief: the configured main stories, no long tail."""
    return settings.model_copy(
        update={"digest": settings.digest.model_copy(update={"more_items": 0})}
    )


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
        out = written.items.get(story.id)
        if out is None:  # the sources' own words, but their markup and links are checked too
            checked = check_draft(extractive_brief(story), story)
            draft, findings[story.id] = checked.draft, checked.unsupported
            category = brief_category(story.primary.title)
        else:
            checked = check_draft(brief_draft(story, out), story)
            draft, findings[story.id] = checked.draft, checked.unsupported
            category = (
                out.category if out.category in BRIEF_CATEGORIES else brief_category(out.title)
            )
        drafts[story.id] = draft
        grouped[category].append(brief_item(story, draft))
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
    published = published_of(day, main, drafts)
    return publish(
        "brief", day.isoformat(), archive, settings, markdown, record, published, force=force
    )
