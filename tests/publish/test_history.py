"""Which stories a published digest carried, read back from daily, weekly and brief text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.models import Article
from pipeline.publish.memory import covered_in
from pipeline.store.archive import Archive
from tests.conftest import seed_text as _seed

FORMATS = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


def test_published_stories_of_a_linked_daily() -> None:
    stories = covered_in(_seed("002"), "daily")
    assert len(stories) == 13 + 21  # main stories and 更多动态 items
    first = stories[0]
    assert first.date == dt.date(2026, 2, 14) and first.format == "daily"
    assert first.title == "Gemini 3 Deep Think 升级：编程能力全球第8，仅剩7人能击败它"
    assert first.urls == ["https://www.ithome.com/0/921/530.htm"]
    assert first.text.startswith(first.title + "\n谷歌 2 月 12 日")


def test_published_stories_of_bold_label_sections() -> None:
    titles = [s.title for s in covered_in(_seed("000"))]
    assert titles[:4] == [
        "Claude Opus 4.6发布：100万token上下文与零日漏洞挖掘能力",
        "OpenAI连发两款产品：GPT-5.3-Codex与Frontier平台",
        "阿里千问春节活动：9小时订单破千万，AI应用落地加速",
        "生数科技完成超6亿元A+轮融资",
    ]
    assert "Peloton裁员11%" in titles


def test_published_stories_of_weekly_and_brief() -> None:
    weekly = covered_in(_seed("001"), "weekly")
    assert len(weekly) == 8 and len(weekly[0].urls) == 2
    brief = covered_in(_seed("004"), "brief")
    assert len(brief) == 12 and brief[0].date == dt.date(2026, 2, 8)
    assert brief[0].urls == [
        "http://www.gx.xinhuanet.com/20260207/66e561ef6b404e048da1d9e86d064ae2/c.html"
    ]


def test_published_stories_date_fallback_and_unknown_format() -> None:
    text = "# 标题\n\n## 栏目\n\n### [故事](https://a.cn/1)\n\n导语。"
    stories = covered_in(text, "unknown", default_date=dt.date(2026, 1, 1))
    assert [(s.title, s.urls, s.date) for s in stories] == [
        ("故事", ["https://a.cn/1"], dt.date(2026, 1, 1))
    ]
    assert covered_in(text)[0].date == dt.date.min


def test_published_before_reaches_back_30_days_with_source_texts(tmp_path: Path) -> None:
    """A draft left on disk 20 days ago still counts, and carries its articles' text."""
    from pipeline.publish.memory import covered_before

    day = dt.date(2026, 3, 10)
    old = day - dt.timedelta(days=20)
    draft = (FORMATS / "golden_daily.md").read_text(encoding="utf-8")
    stories = covered_in(draft, "daily")
    url = next(u for s in stories for u in s.urls)
    when = dt.datetime(2026, 2, 17, 9, tzinfo=dt.UTC)
    source = Article(
        id="a1",
        url=url,
        source="IT之家",
        lang="zh",
        title="原始报道",
        published=when,
        text="原始报道的正文。",
        first_seen=when,
    )
    (tmp_path / "out" / "daily").mkdir(parents=True)
    (tmp_path / "out" / "daily" / f"{old}.md").write_text(draft, encoding="utf-8")
    (tmp_path / "out" / "daily" / f"{day - dt.timedelta(days=31)}.md").write_text(
        draft, encoding="utf-8"
    )
    with Archive(tmp_path / "archive.sqlite3") as archive:
        archive.put_article(source)
        found = covered_before(archive, tmp_path / "out", "daily", day)
    assert len(found) == len(stories)  # the 31-day-old copy is beyond the memory
    assert any(s.sources == ["原始报道\n原始报道的正文。"] for s in found if url in s.urls)
