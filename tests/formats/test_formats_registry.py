"""The format registry (issue 16): a fourth format is a registry entry and a template.

The format below exists only in this test. It is registered, then run end to end
through the plain pipeline function (no Prefect): archive → stories → write → compose
(its own Jinja template) → the shared publish step, which writes the draft and record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import jinja2
import pytest

from pipeline.config import Settings
from pipeline.flows.run import ARCHIVE_FILE, PlainStages, run_digest
from pipeline.formats import FORMATS, Composition, Format, get, register
from pipeline.formats.daily import build_record, covered_by, run_stats
from pipeline.ingest.gather import day_window
from pipeline.llm.client import Cache
from pipeline.models import EXIT_CLEAN, EXIT_NO_DRAFT, RenderedDraft, Story, Written
from pipeline.store.archive import Archive
from tests.formats.test_periodic import OPUS, ROBOT, WAYMO

DAY = date(2026, 2, 7)  # the window is 2026-02-06, the articles' day
TEMPLATE = """---
title: "{{ day }} 标题速览"
date: {{ day }}
category: AI 日报
tags: ["AI"]
seo: ["AI 日报"]
coverImage: ""
---

# {{ day }} 标题速览
{% for story in stories %}
- [{{ story.primary.title }}]({{ story.primary.url }})
{%- endfor %}
"""


async def write_nothing(
    stories: list[Story], settings: Settings, day: date, no_llm: bool, cache: Cache
) -> Written:
    """This format's writer: headlines only, nothing to write."""
    return Written()


def compose_headlines(c: Composition) -> RenderedDraft:
    """The main stories' headlines through this format's template, and its record."""
    main = [s for s in c.clusters.stories if s.placement == "main"]
    markdown = jinja2.Template(TEMPLATE).render(day=c.day, stories=main)
    stats = run_stats(c.report, c.written.stats, c.clusters, c.articles, {}, [], 0)
    notes = c.report.notes
    record = build_record(c.day, c.clusters, {}, {}, c.report.failures, stats, notes, "headlines")
    return RenderedDraft(markdown=markdown, record=record, covered=covered_by(c.day, main, {}))


HEADLINES = Format(
    name="headlines",
    window=day_window,
    stem=lambda day: f"{day}-headlines",
    stories=lambda settings: settings,
    write=write_nothing,
    compose=compose_headlines,
    judges=False,
)


@pytest.fixture
def headlines() -> Iterator[Format]:
    """The fourth format, in the registry for this test only."""
    saved = dict(FORMATS)
    register(HEADLINES)
    yield HEADLINES
    FORMATS.clear()
    FORMATS.update(saved)


def test_the_registry_lists_the_three_formats() -> None:
    assert list(FORMATS) == ["daily", "weekly", "brief"]
    assert get("weekly").remembers is False and get("daily").remembers is True
    with pytest.raises(KeyError, match="one of daily, weekly, brief"):
        get("monthly")


def test_a_fourth_format_runs_end_to_end_through_the_plain_pipeline(
    settings: Settings, headlines: Format
) -> None:
    with Archive(settings.data_dir / ARCHIVE_FILE) as archive:
        for article in (OPUS, WAYMO, ROBOT):
            archive.put_article(article)
    fmt = get("headlines")
    summary = run_digest(fmt, settings, DAY, PlainStages(), offline=True, no_llm=True)

    draft = settings.output_dir / "headlines" / "2026-02-07-headlines.md"
    assert summary.draft == str(draft) and summary.format == "headlines"
    text = draft.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle:") and "# 2026-02-07 标题速览" in text
    assert f"[{OPUS.title}]({OPUS.url})" in text and f"[{WAYMO.title}]({WAYMO.url})" in text
    record = json.loads(Path(summary.record or "").read_text(encoding="utf-8"))
    assert record["format"] == "headlines" and record["date"] == "2026-02-07"
    assert {a["url"] for s in record["stories"] for a in s["articles"]} >= {OPUS.url, WAYMO.url}
    assert summary.exit_code == EXIT_CLEAN, summary.problems
    assert {"seconds_ingest", "seconds_cluster", "seconds_write"} <= set(summary.stats)
    with Archive(settings.data_dir / ARCHIVE_FILE) as archive:  # the no-repeat memory
        covered = archive.covered_between(DAY, DAY, format="headlines")
    assert {u for s in covered for u in s.urls} >= {OPUS.url, WAYMO.url}


def test_a_format_with_nothing_in_its_window_writes_no_draft(
    settings: Settings, headlines: Format
) -> None:
    summary = run_digest(headlines, settings, DAY, PlainStages(), offline=True, no_llm=True)
    assert summary.draft is None and summary.exit_code == EXIT_NO_DRAFT
    record = settings.output_dir / "headlines" / "2026-02-07-headlines.json"
    assert "no article" in json.loads(record.read_text(encoding="utf-8"))["no_draft"]
