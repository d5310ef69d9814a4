"""Which stories a published digest carried, read back from daily, weekly and brief text."""

from __future__ import annotations

import datetime as dt

from pipeline.history import published_stories
from tests.conftest import seed_text as _seed


def test_published_stories_of_a_linked_daily() -> None:
    stories = published_stories(_seed("002"), "daily")
    assert len(stories) == 13 + 21  # main stories and 更多动态 items
    first = stories[0]
    assert first.date == dt.date(2026, 2, 14) and first.format == "daily"
    assert first.title == "Gemini 3 Deep Think 升级：编程能力全球第8，仅剩7人能击败它"
    assert first.urls == ["https://www.ithome.com/0/921/530.htm"]
    assert first.text.startswith(first.title + "\n谷歌 2 月 12 日")


def test_published_stories_of_bold_label_sections() -> None:
    titles = [s.title for s in published_stories(_seed("000"))]
    assert titles[:4] == [
        "Claude Opus 4.6发布：100万token上下文与零日漏洞挖掘能力",
        "OpenAI连发两款产品：GPT-5.3-Codex与Frontier平台",
        "阿里千问春节活动：9小时订单破千万，AI应用落地加速",
        "生数科技完成超6亿元A+轮融资",
    ]
    assert "Peloton裁员11%" in titles


def test_published_stories_of_weekly_and_brief() -> None:
    weekly = published_stories(_seed("001"), "weekly")
    assert len(weekly) == 8 and len(weekly[0].urls) == 2
    brief = published_stories(_seed("004"), "brief")
    assert len(brief) == 12 and brief[0].date == dt.date(2026, 2, 8)
    assert brief[0].urls == [
        "http://www.gx.xinhuanet.com/20260207/66e561ef6b404e048da1d9e86d064ae2/c.html"
    ]


def test_published_stories_date_fallback_and_unknown_format() -> None:
    text = "# 标题\n\n## 栏目\n\n### [故事](https://a.cn/1)\n\n导语。"
    stories = published_stories(text, "unknown", default_date=dt.date(2026, 1, 1))
    assert [(s.title, s.urls, s.date) for s in stories] == [
        ("故事", ["https://a.cn/1"], dt.date(2026, 1, 1))
    ]
    assert published_stories(text)[0].date == dt.date.min
