"""The weekly format without Prefect (window, story choice, template input from the
writer's answer or extractive, grounding), and the record/publish steps it shares with
the brief (:mod:`pipeline.formats.brief`).

The seven days ending on D−1 are re-clustered as one window with ``build_stories`` and a
larger main count, rather than reusing what the dailies published: the same event
reported on several days becomes one story, a week whose dailies were not all run still
gets a complete weekly, and the archive is the only input. The LLM groups the top
stories into topics in one call; every line it writes is grounded in the stories it cites.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pipeline.check.grounding import check_meta, secure_lines
from pipeline.config import Settings
from pipeline.formats.daily import build_record, covered_by, expect, run_stats
from pipeline.formats.registry import Composition, Format
from pipeline.llm.client import Cache
from pipeline.llm.prompts import Prompts
from pipeline.markdown.document import (
    Link,
    WeeklyDocument,
    WeeklyHighlight,
    WeeklyInput,
    WeeklyNewsGroup,
    WeeklyTopic,
)
from pipeline.markdown.render import build_weekly, render_document, weekly_in_profile
from pipeline.models import (
    DEGRADED_MARK,
    Article,
    ClusterResult,
    DigestMeta,
    Failure,
    RenderedDraft,
    RunRecord,
    Story,
    StoryDraft,
    WeeklyText,
    WeeklyWrite,
)
from pipeline.text.sentences import join_sentences, split_sentences
from pipeline.write.fallback import guess_category
from pipeline.write.weekly import WeeklyWriter

log = logging.getLogger(__name__)

WEEK_DAYS = 7
WEEKLY_MAIN_STORIES = 12  # the week's top stories: Highlights and Detailed Coverage
WEEKLY_MORE_ITEMS = 16  # candidates for 其他重要资讯
WEEKLY_HIGHLIGHTS = 10
WEEKLY_TOPICS = 8
TOPIC_SOURCES = 4
READING_LINKS = 8
EXTRACTIVE_NOTE = "以下摘自原文，待编辑改写。"
_LEAD_PUNCT = "，,。；;：: "
_END_PUNCT = ("。", "！", "？", "!", "?", ".", "”", "…")
OTHER_NEWS = "其他重要资讯"

# --- windows, names, settings -------------------------------------------------------------


def week_window(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The weekly dated ``day``: the seven local days ending on day−1, half-open."""
    end = datetime.combine(day, time.min, tzinfo=tz)
    return end - timedelta(days=WEEK_DAYS), end


def week_stem(day: date) -> str:
    """The weekly's file stem: the ISO week of day−1 (``2026-W06``)."""
    year, week, _ = (day - timedelta(days=1)).isocalendar()
    return f"{year}-W{week:02d}"


def week_title(day: date) -> str:
    """``2026年第6周AI与科技动态周报`` for the ISO week of day−1."""
    year, week, _ = (day - timedelta(days=1)).isocalendar()
    return f"{year}年第{week}周AI与科技动态周报"


def archive_link(day: date) -> Link:
    """The closing link to the week's news archive, as the published weeklies carry it."""
    year, week, _ = (day - timedelta(days=1)).isocalendar()
    return Link(
        title=f"AI news summary — {year}-{week:02d}", url=f"../weekly_news/news_{year}_{week:02d}"
    )


def weekly_settings(settings: Settings) -> Settings:
    """Settings for clustering a whole week: more main stories and long-tail candidates."""
    digest = settings.digest.model_copy(
        update={"main_stories": WEEKLY_MAIN_STORIES, "more_items": WEEKLY_MORE_ITEMS}
    )
    return settings.model_copy(update={"digest": digest})


# --- shared helpers -------------------------------------------------------------------------


def _lead(article: Article, sentences: int = 2) -> str:
    return join_sentences(split_sentences(article.text)[:sentences]) or article.title


def _sentence(text: str) -> str:
    """Text as the rest of a bullet: no leading punctuation, a closing full stop."""
    text = text.strip().lstrip(_LEAD_PUNCT)
    return text if not text or text.endswith(_END_PUNCT) else text + "。"


def _links(stories: Sequence[Story], limit: int = TOPIC_SOURCES) -> list[Link]:
    urls = dict.fromkeys((a.url, a.title) for s in stories for a in s.articles)
    return [Link(title=title, url=url) for url, title in list(urls)[:limit]]


class Grounding:
    """Checks generated lines against the stories they cite; collects the findings."""

    def __init__(self, stories: Sequence[Story]) -> None:
        self.every = list(stories)
        self.by_story: dict[str, list[str]] = {}
        self.general: list[str] = []

    def lines(self, lines: list[str], cited: Sequence[Story] = ()) -> list[str]:
        """The lines with unsupported numbers and names marked 【待核实：…】."""
        meta = DigestMeta(title="", summary=lines)
        checked, found = check_meta(meta, [], list(cited) or self.every)
        if cited:
            self.by_story.setdefault(cited[0].id, []).extend(found)
        else:
            self.general.extend(found)
        return list(checked.summary)

    def safe(self, lines: list[str]) -> list[str]:
        """Lines quoted from the sources, through the sanitiser and link check (no grounding)."""
        safe, found = secure_lines(lines, self.every)
        self.general.extend(found)
        return safe

    def link(self, link: Link) -> Link:
        """A source link whose title (a feed's words) went through the sanitiser."""
        return link.model_copy(update={"title": self.safe([link.title])[0]})


# --- weekly -----------------------------------------------------------------------------------


def weekly_input(
    day: date, stories: Sequence[Story], out: WeeklyText | None
) -> tuple[WeeklyInput, Grounding]:
    """The weekly's template input: the LLM's answer grounded, else extractive."""
    main = [s for s in stories if s.placement == "main"]
    more = [s for s in stories if s.placement == "more"]
    grounding = Grounding(stories)
    data = (
        secure_weekly(extractive_weekly(day, main, more), grounding)
        if out is None
        else llm_weekly(day, main, more, out, grounding)
    )
    return data, grounding


def secure_weekly(data: WeeklyInput, grounding: Grounding) -> WeeklyInput:
    """An extractive weekly (feed titles, source sentences) through the sanitiser and link check."""
    safe = grounding.safe
    intro, summary = safe([data.intro, data.summary])
    highlights = []
    for h in data.highlights:
        title, text = safe([h.title, h.text])
        highlights.append(WeeklyHighlight(title=title, text=text))
    topics = [
        WeeklyTopic(
            title=safe([t.title])[0],
            paragraphs=safe(t.paragraphs),
            bullets=safe(t.bullets),
            sources=[grounding.link(link) for link in t.sources],
        )
        for t in data.topics
    ]
    other = [WeeklyNewsGroup(label=g.label, text=safe([g.text])[0]) for g in data.other_news]
    update = {"intro": intro, "summary": summary, "highlights": highlights, "topics": topics}
    update |= {"other_news": other, "reading": [grounding.link(r) for r in data.reading]}
    return data.model_copy(update=update)


def _weekly_frame(day: date, intro: str, summary: str) -> WeeklyInput:
    return WeeklyInput(
        title=week_title(day), date=day, intro=intro, summary=summary, archive=archive_link(day)
    )


def llm_weekly(
    day: date, main: list[Story], more: list[Story], out: WeeklyText, grounding: Grounding
) -> WeeklyInput:
    """The LLM's weekly, every line grounded in the stories it cites (links by story id).

    A part the model left unusable falls back, alone, to the extractive weekly's part
    (sanitised like any text quoted from the sources).
    """
    known = {s.id: s for s in [*main, *more]}

    def cited(ids: list[str]) -> list[Story]:
        return list({known[i].id: known[i] for i in ids if i in known}.values())

    intro, summary = grounding.lines([out.intro, out.summary])
    data = _weekly_frame(day, intro, summary)
    for h in out.highlights[:WEEKLY_HIGHLIGHTS]:
        title, text = grounding.lines([h.title, _sentence(h.text)], cited(h.stories))
        data.highlights.append(WeeklyHighlight(title=title, text=text))
    for t in out.topics[:WEEKLY_TOPICS]:
        refs = cited(t.stories)
        title, *rest = grounding.lines([t.title, *t.paragraphs, *t.bullets], refs)
        paragraphs, bullets = rest[: len(t.paragraphs)], rest[len(t.paragraphs) :]
        data.topics.append(
            WeeklyTopic(title=title, paragraphs=paragraphs, bullets=bullets, sources=_links(refs))
        )
    for topic in data.topics:  # source links carry the feeds' titles
        topic.sources = [grounding.link(link) for link in topic.sources]
    for g in out.other_news:
        label, text = grounding.lines([g.label, g.text], cited(g.stories))
        data.other_news.append(WeeklyNewsGroup(label=label, text=text))
    data.other_news = data.other_news or [
        g.model_copy(update={"text": grounding.safe([g.text])[0]})
        for g in _other_groups(_uncited(out, known, [*main, *more]))
    ]
    reading = _reading(out, known, main)  # titles the model chose: grounded like its text
    titles = grounding.lines([r.title for r in reading])
    data.reading = [r.model_copy(update={"title": t}) for r, t in zip(reading, titles, strict=True)]
    if not (data.intro and data.summary and data.highlights and data.topics):
        fallback = secure_weekly(extractive_weekly(day, main, more), grounding)
        data.intro, data.summary = data.intro or fallback.intro, data.summary or fallback.summary
        data.highlights = data.highlights or fallback.highlights
        data.topics = data.topics or fallback.topics
    return data


def _uncited(out: WeeklyText, known: dict[str, Story], stories: list[Story]) -> list[Story]:
    """The stories no topic draws on: the material of 其他重要资讯."""
    cited = {i for t in out.topics for i in t.stories if i in known}
    return [s for s in stories if s.id not in cited]


def _other_groups(stories: Sequence[Story]) -> list[WeeklyNewsGroup]:
    """其他重要资讯 from source titles grouped by keywords (extractive, or the model gave none)."""
    groups: dict[str, list[str]] = {}
    for story in stories:
        groups.setdefault(guess_category(story.primary.title), []).append(story.primary.title)
    return [WeeklyNewsGroup(label=k, text="；".join(v) + "。") for k, v in groups.items()]


def _reading(out: WeeklyText, known: dict[str, Story], main: list[Story]) -> list[Link]:
    """相关阅读链接: source articles only (the model picks stories and titles, not URLs)."""
    links = {known[r.story].primary.url: r.title for r in out.reading if r.story in known}
    if not links:
        links = {s.primary.url: s.primary.title for s in main}
    return [Link(title=title, url=url) for url, title in list(links.items())[:READING_LINKS]]


def weekly_document(data: WeeklyInput) -> WeeklyDocument:
    """The weekly's document; without 其他重要资讯 when a small week left nothing for it."""
    doc = build_weekly(data)
    if not data.other_news:  # an empty section would be a lint error, not a weekly
        doc.sections = [s for s in doc.sections if s.heading.title != OTHER_NEWS]
    return doc


def extractive_weekly(day: date, main: list[Story], more: list[Story]) -> WeeklyInput:
    """A weekly from the sources' own sentences, marked 【待编辑】 (no LLM, or it failed)."""
    titles = [s.primary.title for s in main]
    intro = f"{DEGRADED_MARK}本周共整理{len(main)}条要闻、{len(more)}条其他资讯，{EXTRACTIVE_NOTE}"
    summary = f"{DEGRADED_MARK}本周要闻：{'；'.join(titles[:3]) or '无'}。"
    data = _weekly_frame(day, intro, summary)
    data.highlights = [
        WeeklyHighlight(title=s.primary.title, text=_sentence(_lead(s.primary, 1)))
        for s in main[:WEEKLY_HIGHLIGHTS]
    ]
    data.topics = [
        WeeklyTopic(
            title=DEGRADED_MARK + s.primary.title,
            paragraphs=[_lead(s.primary)],
            sources=_links([s]),
        )
        for s in main[:WEEKLY_TOPICS]
    ]
    data.other_news = _other_groups(main[WEEKLY_TOPICS:] + more)
    data.reading = [Link(title=s.primary.title, url=s.primary.url) for s in main[:READING_LINKS]]
    return data


def compose_weekly(c: Composition) -> RenderedDraft:
    """Ground and render the weekly draft and its record."""
    written = expect(c.written, WeeklyWrite)
    data, grounding = weekly_input(c.day, c.clusters.stories, written.text)
    year, week, _ = (c.day - timedelta(days=1)).isocalendar()
    data = weekly_in_profile(data, c.settings.publication.weekly, (year, week))
    markdown = render_document(weekly_document(data), c.settings.templates_dir)
    main = [s for s in c.clusters.stories if s.placement == "main"]
    degraded = len(main) if written.text is None else 0
    failures = c.report.failures + written.failures
    stats = run_stats(
        c.report,
        written.stats,
        c.clusters,
        c.articles,
        grounding.by_story,
        grounding.general,
        degraded,
    )
    record = periodic_record(
        "weekly",
        c.day,
        c.clusters,
        {},
        grounding.by_story,
        failures,
        stats,
        degraded=bool(degraded),
        notes=c.report.notes,
    )
    return RenderedDraft(markdown=markdown, record=record, covered=covered_by(c.day, main, {}))


async def write_weekly(
    stories: list[Story], settings: Settings, day: date, no_llm: bool, cache: Cache
) -> WeeklyWrite:
    """The weekly's write stage: its whole text in one call (extractive on failure)."""
    prompts = Prompts(settings.prompts_dir)
    writer = WeeklyWriter(settings.llm, cache=cache, no_llm=no_llm, prompts=prompts)
    return await writer.write_week(stories, week=week_stem(day))


# --- record and publishing ---------------------------------------------------------------------


def periodic_record(
    fmt: str,
    day: date,
    clusters: ClusterResult,
    drafts: dict[str, StoryDraft],
    findings: dict[str, list[str]],
    failures: list[Failure],
    stats: dict[str, float | int | str],
    *,
    degraded: bool = False,
    notes: dict[str, str] | None = None,
) -> RunRecord:
    record = build_record(day, clusters, drafts, findings, failures, stats, notes, fmt)
    stories = [
        s.model_copy(update={"degraded": True}) if degraded and s.placement == "main" else s
        for s in record.stories
    ]
    return record.model_copy(update={"stories": stories})


FORMAT = Format(
    name="weekly",
    window=week_window,
    stem=week_stem,
    stories=weekly_settings,
    write=write_weekly,
    compose=compose_weekly,
    remembers=False,  # a week's stories are the week's own, whatever the dailies carried
    document="weekly",
)
