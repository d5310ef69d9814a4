"""Unchecked paths to the draft (issue 14, items 8 and 10): every producer, one sanitiser.

Hostile feed titles and article text go through the real stages (no LLM: the extractive
and fallback paths that used to skip the checks; LLM-written drafts as the writer hands
them on), then the real publish step writes the draft and record to disk.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from pipeline.config import Settings
from pipeline.flows.run import compose_and_publish
from pipeline.formats import FORMATS
from pipeline.markdown.document import WeeklyInput
from pipeline.markdown.lint import lint_text
from pipeline.markdown.render import build_weekly, render_document
from pipeline.models import (
    Article,
    BriefWrite,
    ClusterResult,
    Fact,
    IngestReport,
    RunSummary,
    Story,
    StoryDraft,
    WeeklyWrite,
    WriteResult,
    article_id,
)
from pipeline.store.archive import Archive
from pipeline.text.sanitize import invisible_characters
from pipeline.write.daily import Writer
from pipeline.write.fallback import fallback_meta

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 2, 7)
HIDDEN = "\u202e\u200b\u2066\u2069\ufeff\U000e0041"
HOSTILE_TITLE = (
    "OpenAI发布GPT-5<script>alert(1)</script><img src=x onerror=alert(2)>"
    "[领取](https://evil.example/x)[跳转](javascript:alert(3))" + HIDDEN + "gpj.exe"
)
HOSTILE_TEXT = (
    "OpenAI发布GPT-5模型，支持100万token上下文。<img src=x onerror=alert(4)>"
    "详情见 https://evil.example/phish 页面。[更多](javascript:alert(5))定价为每百万token 5美元。"
)
LINT_ATTACKS = (
    "stray HTML",
    "non-http(s) link",
    "malformed",
    "invisible",
    "front matter: HTML",
    "front matter: Markdown link",
    "front matter: script",
    "front matter: invisible",
)
ATTACKS = re.compile(r"(?i)<script|<img|onerror|javascript:|evil\.example")


def article(n: int, title: str = HOSTILE_TITLE, text: str = HOSTILE_TEXT) -> Article:
    url = f"https://news.example.com/a/{n}"
    published = datetime(2026, 2, 6, 9 + n, 0, tzinfo=TZ)
    return Article(
        id=article_id(url),
        url=url,
        source="科技新闻",
        lang="zh",
        title=title,
        published=published,
        text=text,
        first_seen=published,
    )


def stories() -> list[Story]:
    main = [Story(id=f"s{n}", articles=[article(n)], section="models") for n in (1, 2)]
    more = Story(id="m1", articles=[article(3)], section="apps", placement="more")
    return [*main, more]


def assert_clean(path: Path) -> str:
    """The draft on disk carries none of the attacks and no hidden character; its lint agrees.

    The record keeps what was removed (its ``unsupported`` list is the audit trail), but
    no hidden character anywhere and no markup or link in a title.
    """
    text = path.read_text(encoding="utf-8")
    assert not ATTACKS.search(text), ATTACKS.search(text)  # no footer card: default profile
    assert not invisible_characters(text)
    assert [p for p in lint_text(text) if p.message.startswith(LINT_ATTACKS)] == []
    record = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert not any(invisible_characters(s) for s in strings(record))
    assert not any(ATTACKS.search(s) or "](" in s for s in titles(record))
    return text


def titles(value: object) -> list[str]:
    """Every "title" string of a loaded JSON value."""
    if isinstance(value, dict):
        own = [v for k, v in value.items() if k == "title" and isinstance(v, str)]
        return own + [t for v in value.values() for t in titles(v)]
    if isinstance(value, list):
        return [t for item in value for t in titles(item)]
    return []


def strings(value: object) -> list[str]:
    """Every string (keys too) of a loaded JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def front_matter(text: str) -> dict[str, object]:
    head = text.split("---\n", 2)[1]
    loaded = yaml.safe_load(head)
    assert isinstance(loaded, dict)
    return loaded


def publish(settings: Settings, written: WriteResult, found: list[Story]) -> RunSummary:
    clusters = ClusterResult(stories=found)
    articles = [a for s in found for a in s.articles]
    with Archive(settings.data_dir / "archive.sqlite3") as archive:
        report = IngestReport()
        return compose_and_publish(
            FORMATS["daily"], archive, settings, DAY, clusters, written, report, articles, False
        )


def test_no_llm_draft_sanitises_feed_titles(settings: Settings) -> None:
    """--no-llm: feed titles reach H1, front matter, summary and 更多动态 only sanitised."""
    found = stories()
    written = asyncio.run(
        Writer(settings.llm, no_llm=True).write_digest(found, settings.digest.sections, date=DAY)
    )
    summary = publish(settings, written, found)
    text = assert_clean(Path(summary.draft or ""))
    front = front_matter(text)
    assert isinstance(front["title"], str) and "OpenAI发布GPT-5" in front["title"]
    assert "OpenAI发布GPT-5" in text.split("\n# ", 1)[1].split("\n", 1)[0]
    assert summary.stats["unsupported"] and summary.stats["summary_unsupported"]


def test_digest_level_fallback_checks_llm_headlines(settings: Settings) -> None:
    """When only the digest call fails, the fallback summary (LLM headlines) is checked too."""
    found = stories()
    drafts = {
        s.id: StoryDraft(
            story_id=s.id,
            headline=f"<img src=x onerror=alert(1)>OpenAI发布GPT-5 [看](https://evil.example/{s.id})",
            url=s.primary.url,
            lead="OpenAI发布GPT-5模型，支持100万token上下文。",
            facts=[Fact(label="定价", text="每百万token 5美元" + HIDDEN)],
        )
        for s in found
        if s.placement == "main"
    }
    meta = fallback_meta(list(drafts.values()), settings.digest.sections, date=DAY)
    summary = publish(settings, WriteResult(drafts=drafts, meta=meta), found)
    assert_clean(Path(summary.draft or ""))
    assert summary.stats["summary_unsupported"]


def test_llm_bidi_and_zero_width_characters_are_stripped(settings: Settings) -> None:
    """U+202E, U+200B, U+2066… written by the LLM never reach the draft or its record."""
    found = stories()[:1]
    draft = StoryDraft(
        story_id="s1",
        headline="OpenAI\u202e发布\u200bGPT-5\u2066",
        url=found[0].primary.url,
        lead="OpenAI发布GPT-5模型\u200d，支持100万token上下文\u2069。",
        analysis=["这是\u202d深度解读\u00ad。"],
    )
    written = WriteResult(drafts={"s1": draft}, meta=fallback_meta([draft], [], date=DAY))
    text = assert_clean(Path(publish(settings, written, found).draft or ""))
    assert "### [OpenAI发布GPT-5](https://news.example.com/a/1)" in text


def test_weekly_extractive_fallback_is_sanitised(settings: Settings) -> None:
    """No LLM for the weekly: headings and bullets from feed titles are sanitised and counted."""
    found = stories()
    with Archive(settings.data_dir / "archive.sqlite3") as archive:
        summary = compose_and_publish(
            FORMATS["weekly"],
            archive,
            settings,
            date(2026, 2, 9),
            ClusterResult(stories=found),
            WeeklyWrite(),
            IngestReport(),
            [a for s in found for a in s.articles],
            False,
        )
    assert_clean(Path(summary.draft or ""))
    assert summary.stats["unsupported"]  # what was removed is reported, not "0 unsupported"


def test_brief_extractive_fallback_is_sanitised(settings: Settings) -> None:
    """No LLM for the brief: item titles and points from the sources are sanitised and counted."""
    found = stories()
    with Archive(settings.data_dir / "archive.sqlite3") as archive:
        summary = compose_and_publish(
            FORMATS["brief"],
            archive,
            settings,
            DAY,
            ClusterResult(stories=found),
            BriefWrite(),
            IngestReport(),
            [a for s in found for a in s.articles],
            False,
        )
    assert_clean(Path(summary.draft or ""))
    assert summary.stats["unsupported"]


@pytest.mark.parametrize("title", ["yes", "2026", "null", "a: b", "#话题", "[1] 标题", "~", "'引'"])
def test_front_matter_title_is_quoted_when_yaml_would_misread_it(title: str) -> None:
    """A title YAML would read as a bool, number, null, mapping or comment is quoted."""
    data = WeeklyInput(title=title, date=date(2026, 2, 9), intro="本周要闻。")
    text = render_document(build_weekly(data))
    assert front_matter(text)["title"] == title


def test_lint_checks_the_front_matter() -> None:
    """HTML, links, script URLs and escaped bidi characters in the front matter are errors."""
    text = (
        "---\n"
        "title: <script>alert(1)</script>AI 日报\n"
        "date: 2026-02-07\n"
        "category: AI 日报\n"
        'tags: ["AI","AI 日报"]\n'
        'seo: ["AI 日报"]\n'
        'coverImage: "https://example.com/c.png"\n'
        'summary: "- [看](javascript:alert(1))\\n- 正常\\u202e一条"\n'
        "---\n"
        "# AI 日报\n\n## 模型\n\n### [标题](https://example.com/a)\n\n正文。\n"
    )
    messages = [p.message for p in lint_text(text) if p.severity == "error"]
    assert "front matter: HTML in 'title'" in messages
    assert any(m.startswith("front matter: Markdown link in 'summary'") for m in messages)
    assert "front matter: script URL in 'summary'" in messages
    assert any("U+202E RIGHT-TO-LEFT OVERRIDE" in m for m in messages)


def test_lint_reports_invisible_characters_in_the_body() -> None:
    """A bidi override or zero-width space anywhere in the body is an error with its name."""
    text = "# AI 日报\n\n## 模型\n\n### [标\u200b题](https://example.com/a)\n\n正\u2066文。\n"
    problems = [p for p in lint_text(text) if "invisible" in p.message]
    assert [(p.line, p.severity) for p in problems] == [(5, "error"), (7, "error")]
    assert "U+200B ZERO WIDTH SPACE" in problems[0].message
