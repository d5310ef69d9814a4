"""The weekly and brief formats without Prefect: weeks, template input, grounding,
fallbacks, the writer against the fake API. Their flows end to end: tests/e2e/test_weekly_brief.py.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pipeline.formats.brief import brief_input
from pipeline.formats.weekly import (
    Grounding,
    archive_link,
    extractive_weekly,
    llm_weekly,
    week_stem,
    week_title,
    week_window,
    weekly_input,
)
from pipeline.llm.structured import parse_answer
from pipeline.markdown.lint import lint_text
from pipeline.markdown.render import build_brief, build_weekly, render_document
from pipeline.models import (
    DEGRADED_MARK,
    Article,
    BriefWrite,
    Lang,
    Placement,
    Story,
    WeeklyText,
    article_id,
)
from pipeline.write.brief import BRIEF_CATEGORIES, BriefItemOut, BriefWriter, to_brief
from pipeline.write.weekly import (
    HighlightOut,
    ReadingOut,
    TopicOut,
    WeeklyOut,
    WeeklyWriter,
    to_weekly_text,
)
from tests.fake_openai import fake_openai

TZ = ZoneInfo("Asia/Shanghai")
WEEK_DAY, WEEK_STEM, BRIEF_DAY = "2026-02-09", "2026-W06", "2026-02-07"

WEEK_ARTICLES: list[dict[str, Any]] = [
    {
        "path": "/wk/kimi.html",
        "pub": "Tue, 03 Feb 2026 10:00:00 +0800",
        "title": "月之暗面发布开源多模态模型Kimi K2.5",
        "paras": [
            "月之暗面于2月3日发布开源多模态模型Kimi K2.5，支持100个智能体并行协作。",
            "Kimi K2.5在多项基准测试中超过Sonnet 4.5，API价格约为其一半。",
        ],
    },
    {
        "path": "/wk/cerebras.html",
        "pub": "Wed, 04 Feb 2026 15:30:00 +0800",
        "title": "AI芯片公司Cerebras完成10亿美元融资，估值230亿美元",
        "paras": [
            "AI芯片公司Cerebras宣布完成10亿美元H轮融资，投后估值达到230亿美元。",
            "Cerebras的晶圆级芯片WSE-3将为OpenAI提供大规模AI算力，双方签订长期协议。",
        ],
    },
    {
        "path": "/wk/genie.html",
        "pub": "Thu, 05 Feb 2026 09:00:00 +0800",
        "title": "谷歌DeepMind发布Project Genie交互世界模型原型",
        "paras": [
            "谷歌DeepMind发布Project Genie原型，可根据文字与图像提示实时生成可交互的虚拟世界。",
            "该原型基于Genie 3世界模型，首批向Google AI Ultra订阅用户开放。",
        ],
    },
    {
        "path": "/wk/robot.html",
        "pub": "Sun, 08 Feb 2026 20:00:00 +0800",
        "title": "宇树科技发布新一代人形机器人H2，搭载AI大模型",
        "paras": [
            "宇树科技发布新一代人形机器人H2，身高180厘米，搭载自研AI大模型。",
            "H2可完成搬运、巡检等任务，计划3月开始交付。",
        ],
    },
    {
        "path": "/wk/late.html",
        "pub": "Mon, 09 Feb 2026 10:00:00 +0800",
        "title": "智谱发布GLM-5大模型，编程能力大幅提升",
        "paras": [
            "智谱于2月9日发布新一代大模型GLM-5，编程能力大幅提升。",
            "GLM-5在SWE-Bench Verified上的得分达到77.8%。",
        ],
    },
]


# --- helpers ------------------------------------------------------------------------------


def make_article(
    path: str, title: str, text: str, *, day: int = 6, source: str = "科技新闻", lang: Lang = "zh"
) -> Article:
    url = f"https://news.example.com{path}"
    published = datetime(2026, 2, day, 10, 0, tzinfo=TZ)
    return Article(
        id=article_id(url),
        url=url,
        source=source,
        lang=lang,
        title=title,
        published=published,
        text=text,
        first_seen=published,
    )


OPUS = make_article(
    "/opus",
    "Anthropic发布Claude Opus 4.6",
    "Anthropic发布Claude Opus 4.6，支持100万token上下文。定价维持每百万token输入5美元。",
)
OPUS_EN = make_article(
    "/opus-en",
    "Claude Opus 4.6 ships",
    "Claude Opus 4.6 has a 1 million token context window.",
    source="Tech Daily",
    lang="en",
)
WAYMO = make_article(
    "/waymo",
    "Waymo完成160亿美元融资",
    "Waymo完成160亿美元融资，估值达到1260亿美元。计划进入伦敦和东京市场。",
)
ROBOT = make_article(
    "/robot",
    "宇树科技发布人形机器人H2",
    "宇树科技发布新一代人形机器人H2，身高180厘米。计划3月开始交付。",
)


def make_story(*articles: Article, placement: Placement = "main", section: str = "models") -> Story:
    return Story(
        id=f"st-{articles[0].id}", articles=list(articles), section=section, placement=placement
    )


STORIES = [
    make_story(OPUS, OPUS_EN),
    make_story(WAYMO, section="capital"),
    make_story(ROBOT, placement="more"),
]


def errors(markdown: str) -> list[str]:
    return [p.message for p in lint_text(markdown) if p.severity == "error"]


# --- weeks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, stem, title, archive",
    [
        (date(2026, 2, 9), "2026-W06", "2026年第6周AI与科技动态周报", "news_2026_06"),
        (date(2026, 2, 6), "2026-W06", "2026年第6周AI与科技动态周报", "news_2026_06"),  # seed 001
        (date(2026, 1, 5), "2026-W01", "2026年第1周AI与科技动态周报", "news_2026_01"),
        (date(2026, 1, 1), "2026-W01", "2026年第1周AI与科技动态周报", "news_2026_01"),  # ISO year
        (date(2027, 1, 1), "2026-W53", "2026年第53周AI与科技动态周报", "news_2026_53"),
    ],
)
def test_week_names_follow_the_iso_week_of_the_day_before(
    day: date, stem: str, title: str, archive: str
) -> None:
    assert week_stem(day) == stem
    assert week_title(day) == title
    link = archive_link(day)
    assert link.url == f"../weekly_news/{archive}"
    assert link.title == f"AI news summary — {archive[5:].replace('_', '-')}"


def test_week_window_is_the_seven_local_days_before_the_date() -> None:
    start, end = week_window(date(2026, 2, 9), TZ)
    assert (start, end) == (datetime(2026, 2, 2, tzinfo=TZ), datetime(2026, 2, 9, tzinfo=TZ))


# --- weekly input -------------------------------------------------------------------------


def weekly_out(**changes: Any) -> WeeklyOut:
    out = WeeklyOut(
        intro="本周AI领域要闻不断，Anthropic发布Claude Opus 4.6，Waymo完成大额融资。",
        highlights=[
            HighlightOut(
                title="Anthropic发布Claude Opus 4.6", text="，支持100万token上下文", stories=["s1"]
            ),
            HighlightOut(title="Waymo完成160亿美元融资", text="增长300%。", stories=["s2"]),
        ],
        topics=[
            TopicOut(
                title="大模型与资本齐头并进",
                paragraphs=["Claude Opus 4.6支持100万token上下文。"],
                stories=["s1", "s2", "s9"],
            )
        ],
        summary="综合本周报道来看，AI行业继续快速演进，模型与资本两条主线并进。",
        reading=[ReadingOut(id="s2", title="Waymo融资报道"), ReadingOut(id="x7", title="不存在")],
    )
    return out.model_copy(update=changes)


def weekly_answer(**changes: Any) -> WeeklyText:
    """The answer as the writer hands it on: story ids instead of the prompt's s1, m1 …"""
    return to_weekly_text(weekly_out(**changes), STORIES[:2], STORIES[2:])


def test_llm_weekly_links_come_from_the_cited_stories_only() -> None:
    data, _ = weekly_input(date(2026, 2, 9), STORIES, weekly_answer())
    topic = data.topics[0]
    assert [s.url for s in topic.sources] == [OPUS.url, OPUS_EN.url, WAYMO.url]  # s9 unknown
    assert [r.url for r in data.reading] == [WAYMO.url]
    assert data.title == "2026年第6周AI与科技动态周报" and data.archive == archive_link(
        date(2026, 2, 9)
    )
    assert data.highlights[0].text == "支持100万token上下文。"  # lead punctuation, full stop


def test_llm_weekly_marks_numbers_the_cited_sources_lack() -> None:
    grounding = Grounding(STORIES)
    data = llm_weekly(date(2026, 2, 9), STORIES[:2], STORIES[2:], weekly_answer(), grounding)
    assert "【待核实" in data.highlights[1].text  # 300% is in no source
    assert grounding.by_story[STORIES[1].id]
    assert "【待核实" not in data.highlights[0].text + data.topics[0].paragraphs[0]


def test_llm_weekly_fills_other_news_from_stories_no_topic_covers() -> None:
    data, _ = weekly_input(date(2026, 2, 9), STORIES, weekly_answer(reading=[]))
    assert [g.text for g in data.other_news] == ["宇树科技发布人形机器人H2。"]
    assert [r.url for r in data.reading] == [OPUS.url, WAYMO.url]  # fallback: main stories


def test_llm_weekly_renders_to_a_weekly_that_lints_clean() -> None:
    grounded = weekly_out().highlights[:1]  # the second one invents a number
    data, _ = weekly_input(date(2026, 2, 9), STORIES, weekly_answer(highlights=grounded))
    markdown = render_document(build_weekly(data))
    assert errors(markdown) == []
    assert "来源：[Anthropic发布Claude Opus 4.6](https://news.example.com/opus)" in markdown


def test_extractive_weekly_is_marked_for_the_editor_and_otherwise_well_formed() -> None:
    data = extractive_weekly(date(2026, 2, 9), [STORIES[0], STORIES[1]], [STORIES[2]])
    markdown = render_document(build_weekly(data))
    assert DEGRADED_MARK in data.intro and DEGRADED_MARK in data.topics[0].title
    assert errors(markdown) and all("marker" in e for e in errors(markdown))


def test_each_weekly_part_the_model_left_unusable_falls_back_on_its_own() -> None:
    out = weekly_answer(intro="", summary="")  # as the salvaging parser leaves them
    data, _ = weekly_input(date(2026, 2, 9), STORIES, out)
    assert data.intro.startswith(DEGRADED_MARK) and data.summary.startswith(DEGRADED_MARK)
    assert data.highlights[0].title == "Anthropic发布Claude Opus 4.6"  # the model's
    assert data.topics[0].title == "大模型与资本齐头并进"


def test_a_weekly_answer_breaking_soft_limits_is_repaired() -> None:
    answer = weekly_out().model_dump()
    answer["intro"] = "导语" * 5  # too short for an intro: left to its fallback
    answer["highlights"][0]["title"] = (
        "Anthropic发布Claude Opus 4.6，支持100万token上下文，编程与智能体能力全面提升并刷新纪录"
    )
    answer["highlights"].append({"title": "English only", "text": "", "stories": []})
    answer["other_news"] = [
        {"label": "智能硬件与生活科技以及更多内容", "text": "促销与评测。", "stories": ["m1"]}
    ]
    repairs: list[str] = []
    out = parse_answer(json.dumps(answer, ensure_ascii=False), "stop", WeeklyOut, repairs)
    assert out.intro == "" and len(out.highlights) == 2
    assert out.highlights[0].title == "Anthropic发布Claude Opus 4.6"
    assert out.highlights[0].text.startswith("支持100万token上下文，编程")
    assert out.other_news[0].label == "智能硬件与生活科技"
    assert out.other_news[0].text == "以及更多内容，促销与评测。"
    assert len(repairs) == 4


def test_a_brief_item_breaking_soft_limits_is_repaired() -> None:
    answer = brief_answer().model_dump() | {
        "title": "Anthropic正式发布新一代旗舰模型Claude Opus 4.6，"
        "支持100万token上下文并在多项编程基准上刷新纪录",
        "points": ["要点一", "要点二", "要点三", "要点四", "要点五"],
    }
    repairs: list[str] = []
    out = parse_answer(json.dumps(answer, ensure_ascii=False), "stop", BriefItemOut, repairs)
    assert out.title == "Anthropic正式发布新一代旗舰模型Claude Opus 4.6" and len(out.points) == 4
    assert repairs == ["title: shortened from 47 to 23 字", "points: kept the first 4 of 5"]


# --- brief input --------------------------------------------------------------------------


def brief_write(answers: dict[str, BriefItemOut]) -> BriefWrite:
    """The answers as the writer hands them on: a draft and a category per story."""
    by_id = {s.id: s for s in STORIES}
    written = {sid: to_brief(by_id[sid], out) for sid, out in answers.items()}
    return BriefWrite(
        drafts={sid: draft for sid, (draft, _) in written.items()},
        categories={sid: category for sid, (_, category) in written.items()},
    )


def brief_answer(**changes: Any) -> BriefItemOut:
    out = BriefItemOut(
        title="Anthropic发布Claude Opus 4.6",
        category="模型与技术进展",
        explanation="Anthropic发布新一代旗舰模型Claude Opus 4.6",
        background="",
        points=["支持100万token上下文"],
        source="a2",
    )
    return out.model_copy(update=changes)


def test_brief_items_link_to_their_own_sources_grouped_by_category() -> None:
    written = brief_write(
        {
            STORIES[0].id: brief_answer(),
            STORIES[1].id: brief_answer(
                title="Waymo完成160亿美元融资",
                category="融资",
                explanation="Waymo完成160亿美元融资，估值1260亿美元",
                points=["计划进入伦敦和东京市场"],
                source="a9",
            ),
        }
    )
    data, drafts, findings = brief_input(date(2026, 2, 7), STORIES, written)
    assert [c.name for c in data.categories] == ["模型与技术进展", "投融资与并购"]  # guessed
    first, second = data.categories[0].items[0], data.categories[1].items[0]
    assert (first.source_url, first.source_name) == (OPUS_EN.url, "Tech Daily")
    assert second.source_url == WAYMO.url  # unknown id: the primary article
    assert findings == {STORIES[0].id: [], STORIES[1].id: []}
    assert not any(d.degraded for d in drafts.values())
    assert errors(render_document(build_brief(data))) == []


def test_brief_item_the_llm_did_not_write_is_extractive_and_marked() -> None:
    data, drafts, _ = brief_input(date(2026, 2, 7), STORIES, BriefWrite())
    item = data.categories[0].items[0]
    assert item.title.startswith(DEGRADED_MARK) and drafts[STORIES[0].id].degraded
    assert {c.name for c in data.categories} <= set(BRIEF_CATEGORIES)
    markdown = render_document(build_brief(data))
    assert markdown.startswith("# 2026年2月7日 AI行业动态\n")
    assert all("marker" in e for e in errors(markdown))


def test_brief_marks_an_invented_number() -> None:
    written = brief_write({STORIES[1].id: brief_answer(points=["估值达到9999亿美元"])})
    data, _, findings = brief_input(date(2026, 2, 7), STORIES, written)
    assert findings[STORIES[1].id]
    assert "【待核实" in render_document(build_brief(data))


# --- the writer against the fake API ----------------------------------------------------------


def test_writer_returns_the_weekly_answer_and_degrades_on_failure() -> None:
    with fake_openai() as fake:
        writer = WeeklyWriter(fake.settings())
        written = asyncio.run(writer.write_week(STORIES, week=WEEK_STEM))
        assert written.text is not None and written.failures == []
        assert "格式：周报" in fake.user_messages(0)[0]
        fake.add_faults("not_json", "not_json")
        failed = asyncio.run(WeeklyWriter(fake.settings()).write_week(STORIES, week="2026-W07"))
    assert failed.text is None
    assert [f.url for f in failed.failures] == ["weekly:2026-W07"]


def test_writer_brief_records_the_item_it_could_not_write() -> None:
    with fake_openai() as fake:
        fake.add_faults("invalid", "invalid")
        writer = BriefWriter(fake.settings(concurrency=1))
        written = asyncio.run(writer.write_brief(STORIES))
    assert len(written.drafts) == 1 and len(written.failures) == 1
    assert written.stats.llm_calls == 3


def test_writer_without_llm_makes_no_calls() -> None:
    with fake_openai() as fake:
        weekly = WeeklyWriter(fake.settings(), no_llm=True)
        assert asyncio.run(weekly.write_week(STORIES, week=WEEK_STEM)).text is None
        brief = BriefWriter(fake.settings(), no_llm=True)
        assert asyncio.run(brief.write_brief(STORIES)).drafts == {}
        assert fake.calls == []


# --- the flows end to end -------------------------------------------------------------------
