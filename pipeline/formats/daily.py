"""Assembling a run's result: grounding checks, the draft, its record and the run summary."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from pipeline.check.grounding import check_draft, check_meta, check_more_item
from pipeline.config import Settings
from pipeline.formats.registry import Composition, Format
from pipeline.ingest.gather import day_window
from pipeline.llm.client import Cache
from pipeline.llm.prompts import Prompts
from pipeline.markdown.cover import card_of
from pipeline.markdown.render import render_daily
from pipeline.models import (
    EXIT_NO_DRAFT,
    Article,
    ClusterResult,
    CoveredStory,
    DailyDraft,
    Fact,
    Failure,
    FeedEntry,
    Impact,
    IngestReport,
    LLMStats,
    MoreItem,
    RecordArticle,
    RecordFact,
    RecordStory,
    RenderedDraft,
    RunRecord,
    RunSummary,
    SectionDraft,
    Story,
    StoryDraft,
    WriteResult,
    Written,
)
from pipeline.publish.covers import CoverResult, choose_cover
from pipeline.publish.drafts import clean_record, paths_for, record_json
from pipeline.publish.memory import SOURCE_CHARS
from pipeline.publish.record import reasons
from pipeline.store.files import atomic_write
from pipeline.write.daily import Writer, write_digest

log = logging.getLogger(__name__)
W = TypeVar("W", bound=Written)


EARLIEST_DAY = date(2000, 1, 1)  # no news archive reaches further back


def resolve_day(value: str | date | None, tz: ZoneInfo) -> date:
    """The digest date: the given one, else tomorrow in the configured zone."""
    if isinstance(value, date):
        return value
    if value:
        return date.fromisoformat(value)
    return datetime.now(tz).date() + timedelta(days=1)


def batch_failures(batch: list[FeedEntry], exc: BaseException) -> list[Failure]:
    """One failure per entry of a page batch whose task crashed."""
    return [Failure(url=e.url, stage="page", error=f"batch crashed: {exc!r}") for e in batch]


def checked_drafts(
    stories: list[Story], written: WriteResult
) -> tuple[dict[str, StoryDraft], dict[str, list[str]]]:
    """Ground every main story's draft in its sources; marked drafts and findings."""
    drafts: dict[str, StoryDraft] = {}
    findings: dict[str, list[str]] = {}
    for story in stories:
        draft = written.drafts.get(story.id)
        if draft is None:
            continue
        result = check_draft(draft, story)
        drafts[story.id] = result.draft
        findings[story.id] = result.unsupported
    return drafts, findings


def checked_more(
    stories: list[Story], items: list[MoreItem]
) -> tuple[list[MoreItem], dict[str, list[str]]]:
    """Ground each 更多动态 line in its story's sources."""
    by_id = {s.id: s for s in stories}
    out, findings = [], {}
    for item in items:
        story = by_id.get(item.story_id)
        if story is None:
            continue
        checked, issues = check_more_item(item, story)
        out.append(checked)
        findings[item.story_id] = issues
    return out, findings


def daily_draft(
    day: date,
    settings: Settings,
    stories: list[Story],
    drafts: dict[str, StoryDraft],
    written: WriteResult,
    more: list[MoreItem],
) -> DailyDraft:
    """The template's input: sections in taxonomy order, stories in rank order."""
    sections = []
    for section in settings.digest.sections:
        members = [drafts[s.id] for s in stories if s.section == section.key and s.id in drafts]
        if members:
            title = written.meta.section_titles.get(section.key) or section.title
            sections.append(SectionDraft(key=section.key, title=title, stories=members))
    return DailyDraft(
        date=day,
        meta=written.meta,
        sections=sections,
        more=more,
    )


def build_record(
    day: date,
    clusters: ClusterResult,
    drafts: dict[str, StoryDraft],
    findings: dict[str, list[str]],
    failures: list[Failure],
    stats: dict[str, float | int | str],
    notes: dict[str, str] | None = None,
    fmt: str = "daily",
) -> RunRecord:
    """The provenance record: every story with its articles, every drop, failure and note."""
    stories = []
    for story in clusters.stories:
        draft = drafts.get(story.id)
        stories.append(
            RecordStory(
                id=story.id,
                title=draft.headline if draft else story.primary.title,
                section=story.section,
                placement=story.placement,
                articles=[
                    RecordArticle(url=a.url, title=a.title, source=a.source) for a in story.articles
                ],
                unsupported=findings.get(story.id, []),
                degraded=bool(draft and draft.degraded),
                repairs=draft.repairs if draft else [],
                follow_up_of=story.follow_up_of,
                facts=record_facts(story, draft),
            )
        )
    return RunRecord(
        date=day,
        format=fmt,
        stories=stories,
        dropped=clusters.dropped,
        failures=failures,
        notes=notes or {},
        stats=stats,
    )


def record_facts(story: Story, draft: StoryDraft | None) -> list[RecordFact]:
    """The draft's fact and impact lines with the URLs of the articles each cites."""
    urls = {a.id: a.url for a in story.articles}
    lines: list[Fact | Impact] = [*draft.facts, *draft.impact] if draft else []
    return [
        RecordFact(label=line.label, sources=[urls[i] for i in line.sources if i in urls])
        for line in lines
    ]


def compose_daily(c: Composition) -> RenderedDraft:
    """Check and render the daily draft, with its cover and record."""
    written = expect(c.written, WriteResult)
    stories = c.clusters.stories
    main = [s for s in stories if s.placement == "main"]
    drafts, findings = checked_drafts(main, written)
    more, more_findings = checked_more(stories, written.more)
    # checked whoever wrote it: a fallback quotes feed titles and story headlines, untrusted too
    meta, meta_findings = check_meta(written.meta, list(drafts.values()), main)
    findings.update({k: v for k, v in more_findings.items() if v})
    written = written.model_copy(update={"meta": meta})
    draft = daily_draft(c.day, c.settings, main, drafts, written, more)
    cover = daily_cover(c.settings, draft, c.target.markdown)
    draft = draft.model_copy(update={"cover_image": cover.url})
    markdown = render_daily(draft, c.settings.publication, c.settings.templates_dir)
    failures = c.report.failures + written.failures + ([cover.failure] if cover.failure else [])
    degraded = sum(1 for d in written.drafts.values() if d.degraded)
    stats = run_stats(
        c.report, written.stats, c.clusters, c.articles, findings, meta_findings, degraded
    )
    record = build_record(c.day, c.clusters, drafts, findings, failures, stats, c.report.notes)
    covered = covered_by(c.day, main, drafts)
    return RenderedDraft(markdown=markdown, record=record, covered=covered, note=cover.note)


def expect(written: Written, kind: type[W]) -> W:
    """The writing as the format's own kind (another format's is a programming error)."""
    if not isinstance(written, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(written).__name__}")
    return written


def as_configured(settings: Settings) -> Settings:
    """The daily's stories settings: the configuration's own."""
    return settings


async def write_daily(
    stories: list[Story], settings: Settings, day: date, no_llm: bool, cache: Cache
) -> WriteResult:
    """The daily's write stage: every main story, the digest text, the 更多动态 lines."""
    writer = Writer(settings.llm, cache=cache, no_llm=no_llm, prompts=Prompts(settings.prompts_dir))
    return await write_digest(stories, settings.digest.sections, date=day, writer=writer)


def daily_cover(settings: Settings, draft: DailyDraft, target: Path) -> CoverResult:
    """The draft's cover by the publication's policy; an editor's own is kept."""
    existing = paths_for(settings.output_dir, "daily", draft.date.isoformat())[0]
    card = card_of(draft, settings.publication)
    return choose_cover(settings.publication, card, existing=existing, target=target)


def covered_by(
    day: date, stories: list[Story], drafts: dict[str, StoryDraft]
) -> list[CoveredStory]:
    """What this digest publishes, for tomorrow's no-repeat check."""
    return [
        CoveredStory(
            date=day,
            title=drafts[s.id].headline if s.id in drafts else s.primary.title,
            urls=[a.url for a in s.articles],
            text=(drafts[s.id].lead if s.id in drafts else s.primary.text[:300]),
            sources=[f"{a.title}\n{a.text[:SOURCE_CHARS]}" for a in s.articles],
        )
        for s in stories
    ]


def run_stats(
    report: IngestReport,
    llm: LLMStats,
    clusters: ClusterResult,
    articles: list[Article],
    findings: dict[str, list[str]],
    general: list[str],
    degraded: int,
) -> dict[str, float | int | str]:
    """The numbers of a run, for the record and the summary (any format).

    ``findings`` are the unsupported claims per story, ``general`` those of text citing no
    one story (the digest's summary, the weekly's intro), ``degraded`` the parts left
    extractive.
    """
    return {
        "llm_calls": llm.llm_calls,
        "cache_hits": llm.cache_hits,
        "prompt_tokens": llm.prompt_tokens,
        "completion_tokens": llm.completion_tokens,
        "cost": round(llm.cost, 6),
        "repairs": llm.repairs,
        "retries": llm.retries,
        "loops": llm.loops,
        "degraded_parts": llm.degraded_parts,
        "feeds_ok": report.feeds_ok,
        "feeds_failed": report.feeds_failed,
        "feeds_not_modified": report.feeds_not_modified,
        "entries_seen": report.entries_seen,
        "pages_fetched": report.pages_fetched,
        "articles_new": report.articles_new,
        "extraction_notes": len(report.notes),
        "articles_in_window": len(articles),
        "stories": len(clusters.stories),
        "main_stories": sum(1 for s in clusters.stories if s.placement == "main"),
        "more_stories": sum(1 for s in clusters.stories if s.placement == "more"),
        "dropped": len(clusters.dropped),
        # who decided relevance: rules or LLM (accepted, dropped), or nobody (kept, undecided)
        **{f"relevance_{k}": v for k, v in clusters.relevance.items()},
        # the LLM's word on pairs of reports the features could not decide
        **{f"pairs_{k}": v for k, v in clusters.pair_checks.items()},
        "degraded": degraded,
        "unsupported": sum(len(v) for v in findings.values()) + len(general),
        "summary_unsupported": len(general),
    }


def summary_rows(summary: RunSummary) -> list[tuple[str, str]]:
    """The run summary as (label, value) rows, for the terminal and the Prefect artifact."""
    stats = summary.stats
    times = [
        f"{k.removeprefix('seconds_')} {v} s" for k, v in stats.items() if k.startswith("seconds_")
    ]
    return [
        ("draft", summary.draft or "—"),
        ("sources", f"{stats.get('feeds_ok', 0)} ok, {stats.get('feeds_failed', 0)} failed"),
        (
            "articles",
            f"{stats.get('articles_new', 0)} new, {stats.get('articles_in_window', 0)} in window",
        ),
        ("dropped", ", ".join(f"{k} {v}" for k, v in sorted(summary.dropped.items())) or "none"),
        ("stories", f"{stats.get('main_stories', 0)} main, {stats.get('more_stories', 0)} more"),
        (
            "LLM",
            f"{stats.get('llm_calls', 0)} calls, {stats.get('cache_hits', 0)} cached, "
            f"{stats.get('prompt_tokens', 0)} + {stats.get('completion_tokens', 0)} tokens, "
            f"cost {stats.get('cost', 0)}, {stats.get('repairs', 0)} repairs, "
            f"{stats.get('retries', 0)} asked again",
        ),
        (
            "flags",
            f"{stats.get('unsupported', 0)} unsupported, {stats.get('degraded', 0)} degraded",
        ),
        ("failures", str(len(summary.failures))),
        ("time", ", ".join(times) or "—"),
        ("exit code", str(summary.exit_code)),
    ]


def summary_markdown(summary: RunSummary) -> str:
    """The run summary as Markdown, for the Prefect artifact."""
    rows = summary_rows(summary)
    lines = [f"# {summary.format} digest {summary.date}", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in rows]
    if summary.note:
        lines += ["", f"**Note:** {summary.note}"]
    if summary.failures:
        lines += ["", "## Failures", ""]
        lines += [f"- {f.stage} `{f.url}`: {f.error}" for f in summary.failures]
    return "\n".join(lines) + "\n"


def no_story_reason(report: IngestReport, articles: int) -> str:
    """Why a run found no story, in words an operator can act on."""
    fetched = report.feeds_ok + report.feeds_failed
    if not articles and not fetched:
        return "the archive has no article published in the window (nothing was fetched)"
    if not articles and report.feeds_failed == fetched:
        return (
            f"every feed failed ({fetched} of {fetched}), so nothing was fetched: check the "
            "network connection and proxy settings (HTTPS_PROXY), then run again"
        )
    if not articles:
        failed = f"{report.feeds_failed} of {fetched} feeds failed"
        return f"no article was published in the window ({failed})"
    return f"none of the {articles} articles in the window made a story"


def no_draft(
    output_dir: Path,
    stem: str,
    day: date,
    fmt: str,
    report: IngestReport,
    clusters: ClusterResult,
    articles: list[Article],
) -> RunSummary:
    """A run that found no story to write: no draft (exit 2), but a record of why.

    The record (every drop and failure) is written only where no draft exists for the
    date, so an earlier draft, edited or not, keeps its own record.
    """
    why = no_story_reason(report, len(articles))
    stats: dict[str, float | int | str] = {
        "feeds_ok": report.feeds_ok,
        "feeds_failed": report.feeds_failed,
        "articles_new": report.articles_new,
        "articles_in_window": len(articles),
        "dropped": len(clusters.dropped),
        # who decided relevance: rules or LLM (accepted, dropped), or nobody (kept, undecided)
        **{f"relevance_{k}": v for k, v in clusters.relevance.items()},
        **{f"pairs_{k}": v for k, v in clusters.pair_checks.items()},
    }
    markdown, record_path = paths_for(output_dir, fmt, stem)
    record = None
    if not markdown.exists():
        record = RunRecord(
            date=day,
            format=fmt,
            dropped=clusters.dropped,
            failures=report.failures,
            notes=report.notes,
            stats=stats,
            no_draft=why,
        )
        record_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(record_path, record_json(clean_record(record)))
    return RunSummary(
        date=day,
        format=fmt,
        record=str(record_path) if record else None,
        note=f"no draft written: {why}",
        exit_code=EXIT_NO_DRAFT,
        stats=stats,
        dropped=reasons(clusters.dropped),
        failures=report.failures,
    )


FORMAT = Format(
    name="daily",
    window=day_window,
    stem=date.isoformat,
    stories=as_configured,
    write=write_daily,
    compose=compose_daily,
    document="daily",
)
