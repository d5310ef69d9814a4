"""Markdown → model: round trip on every layout, structure, robustness."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.markdown.document import (
    BriefDocument,
    BriefItem,
    BulletList,
    DailyDocument,
    Format,
    MoreSection,
    Paragraph,
    SectionNode,
    Sources,
    WeeklyDocument,
)
from pipeline.markdown.parse import detect_format, parse, parse_front, split_lead
from pipeline.markdown.render import render_document
from tests.conftest import FIXTURES, SEEDS, seed_text

VARIANTS = sorted((FIXTURES / "formats").glob("[!g]*.md"))  # not the golden outputs
MARKDOWN_PIECES = st.sampled_from(
    [
        "\n",
        "\n",
        "\n\n",
        " ",
        "  ",
        "-",
        "- ",
        "  - ",
        "* ",
        "1. ",
        "#",
        "# ",
        "## ",
        "### ",
        "---",
        "**",
        "：",
        ":",
        "[",
        "]",
        "(",
        ")",
        "[a](https://a.cn)",
        "<div>",
        "</div>",
        "```",
        "`",
        "\\",
        '"',
        "\t",
        "\r",
        "文本",
        "更多动态",
        "来源：",
        "说明:",
        "要点:",
        "title: x\n",
        "tags:\n",
        "**影响：**",
        "一、",
        "|",
        "【待编辑】",
    ]
)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _seed(prefix: str) -> str:
    return seed_text(prefix)


@pytest.mark.parametrize("path", SEEDS + VARIANTS, ids=lambda p: p.name)
def test_round_trip_is_byte_identical(path: Path) -> None:
    text = _read(path)
    assert render_document(parse(text)) == text


@pytest.mark.parametrize(
    ("prefix", "fmt"),
    [("000", "daily"), ("001", "weekly"), ("002", "daily"), ("003", "daily"), ("004", "brief")],
)
def test_detect_format_of_seeds(prefix: str, fmt: Format) -> None:
    assert detect_format(_seed(prefix)) == fmt


def test_seed_002_structure() -> None:
    doc = parse(_seed("002"))
    assert isinstance(doc, DailyDocument) and doc.footer is not None
    assert doc.title is not None and doc.title.title.startswith("大模型推理能力集体突破")
    sections = [s for s in doc.sections if isinstance(s, SectionNode)]
    assert len(sections) == 6 and sum(len(s.stories) for s in sections) == 13
    story = sections[0].stories[0]
    assert story.heading.url == "https://www.ithome.com/0/921/530.htm"
    facts = story.blocks[1]
    assert isinstance(facts, BulletList) and facts.items[0].lead is not None
    assert facts.items[0].lead.name == "Codeforces 编程平台"
    more = doc.sections[-1]
    assert isinstance(more, MoreSection)
    assert [g.category.lead.name for g in more.groups if g.category and g.category.lead] == [
        "大模型发布与开源",
        "具身智能与机器人",
        "AI 应用与商业化",
        "行业动态",
    ]


def test_seed_002_nested_bullets() -> None:
    doc = parse(_seed("002"))
    assert isinstance(doc, DailyDocument)
    lockdown = next(
        st
        for s in doc.sections
        if isinstance(s, SectionNode)
        for st in s.stories
        if "锁定模式" in st.heading.title
    )
    bullets = lockdown.blocks[1]
    assert isinstance(bullets, BulletList)
    assert [len(b.children) for b in bullets.items] == [2, 2]
    assert bullets.items[0].children[0].indent == "  "


def test_seed_003_inline_analysis_label() -> None:
    doc = parse(_seed("003"))
    assert isinstance(doc, DailyDocument)
    first = doc.sections[0]
    assert isinstance(first, SectionNode)
    labels = [b.lead for b in first.stories[0].blocks if isinstance(b, Paragraph) and b.lead]
    assert ("深度解读", "：", " ") in [(lead.name, lead.inner, lead.after) for lead in labels]


def test_seed_000_label_paragraph_sections() -> None:
    doc = parse(_seed("000"))
    assert isinstance(doc, DailyDocument)
    video = next(s for s in doc.sections if s.heading.title.startswith("多模态与视频生成"))
    assert isinstance(video, SectionNode) and not video.stories
    assert [b.lead.name for b in video.blocks if isinstance(b, Paragraph) and b.lead] == [
        "生数科技完成超6亿元A+轮融资",
        "腾讯发布火龙漫剧App",
        "商汤开源SenseNova-SI-1.3空间智能模型",
    ]
    more = doc.sections[-1]
    assert isinstance(more, MoreSection) and len(more.groups[0].bullets.items) == 9
    assert [b.gap for b in more.groups[0].bullets.items][1:] == [1] * 8  # loose list


def test_seed_001_weekly_structure() -> None:
    doc = parse(_seed("001"))
    assert isinstance(doc, WeeklyDocument) and doc.front is not None
    assert doc.front.get("tags") is not None and doc.front.get("tags").style == "block"  # type: ignore[union-attr]
    assert doc.front.get("description").style == "empty"  # type: ignore[union-attr]
    assert [s.heading.title for s in doc.sections] == [
        "Highlights",
        "Detailed Coverage",
        "其他重要资讯",
        "总结",
        "相关阅读链接",
    ]
    coverage = doc.section("Detailed Coverage")
    assert coverage is not None and len(coverage.stories) == 8
    sources = coverage.stories[0].blocks[1]
    assert isinstance(sources, Sources) and len(sources.links) == 2
    archive = doc.closing[-1]
    assert isinstance(archive, BulletList) and archive.items[0].lead is not None
    assert archive.items[0].lead.url == "../weekly_news/news_2026_06"


def test_seed_004_brief_structure() -> None:
    doc = parse(_seed("004"))
    assert isinstance(doc, BriefDocument) and doc.title is not None
    assert [c.label.lead.name for c in doc.categories if c.label.lead] == [
        "政策与监管",
        "模型与技术进展",
        "投融资与并购",
        "产品与应用发布",
        "行业落地与生态",
    ]
    item = doc.categories[0].entries[0]
    assert isinstance(item, BriefItem)
    assert [f.key for f in item.fields] == ["说明", "背景", "要点", "来源出处"]
    assert len(item.fields[2].bullets) == 3


def test_numbered_headings_and_numbered_more() -> None:
    doc = parse(_read(FIXTURES / "formats" / "daily_numbered_no_summary.md"))
    assert isinstance(doc, DailyDocument) and doc.front is not None
    assert doc.front.get("summary") is None and doc.trailing_newline
    assert [(s.heading.number, s.kind) for s in doc.sections] == [
        ("一、", "section"),
        ("二、", "section"),
        ("七、", "more"),
    ]


def test_h3_more_inside_a_section_is_the_long_tail() -> None:
    doc = parse(_read(FIXTURES / "formats" / "daily_label_stories_h3_more.md"))
    assert isinstance(doc, DailyDocument)
    more = doc.sections[-1]
    assert isinstance(more, MoreSection) and more.heading.level == 3
    assert [len(g.bullets.items) for g in more.groups] == [2, 1]


@pytest.mark.parametrize(
    ("line", "lead", "rest"),
    [
        ("**影响：**", ("bold", "影响", "：", ""), ""),
        ("**深度解读：** 这是", ("bold", "深度解读", "：", " "), "这是"),
        ("**生数科技**：由中关村", ("bold", "生数科技", "", "："), "由中关村"),
        ("**娱乐与文化**  ", ("bold", "娱乐与文化", "", "  "), ""),
        ("**Highlight**，性能", ("bold", "Highlight", "", "，"), "性能"),
        ("[MiniMax](https://m.cn)：SWE", ("link", "MiniMax", "", "："), "SWE"),
        ("**[a](https://a.cn)**: b", ("boldlink", "a", "", ": "), "b"),
        ("[a \\[b\\]](https://a.cn)", ("link", "a \\[b\\]", "", ""), ""),
        ("plain text", None, "plain text"),
        ("**unclosed", None, "**unclosed"),
    ],
)
def test_split_lead(line: str, lead: tuple[str, ...] | None, rest: str) -> None:
    found, text = split_lead(line)
    assert text == rest
    if lead is None:
        assert found is None
    else:
        assert found is not None
        assert (found.style, found.name, found.inner, found.after) == lead


@pytest.mark.parametrize(
    ("line", "style", "value"),
    [
        ("title: AI 日报", "plain", "AI 日报"),
        ('coverImage: "https://a.cn/x.png"', "quoted", "https://a.cn/x.png"),
        ('tags: ["AI","AI 日报"]', "flow", ["AI", "AI 日报"]),
        ('tags: ["AI", "AI 日报"]', "raw", ["AI", "AI 日报"]),
        ("description:", "empty", None),
        ('summary: "\\x41"', "raw", None),
        ("tags: [unclosed", "raw", None),
        ("not a field", "raw", None),
    ],
)
def test_front_field_styles(line: str, style: str, value: object) -> None:
    field = parse_front([line]).fields[0]
    assert (field.style, field.value) == (style, value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "\n\n\n",
        "---",
        "---\n",
        "---\ntitle: x\n",
        "# only a title",
        "- a\n\n  - b\n",
        "```\n## not a heading\n",
        "<div>\n\n</div>",
        "\r\n## crlf\r\n",
    ],
    ids=repr,
)
def test_edge_cases_round_trip(text: str) -> None:
    formats: tuple[Format, ...] = ("daily", "weekly", "brief")
    for fmt in formats:
        assert render_document(parse(text, fmt)) == text


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(MARKDOWN_PIECES, max_size=50).map("".join),
    st.sampled_from(["daily", "weekly", "brief", None]),
)
def test_any_markdown_round_trips(text: str, fmt: Format | None) -> None:
    assert render_document(parse(text, fmt)) == text


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(), st.sampled_from(["daily", "weekly", "brief", None]))
def test_any_text_round_trips(text: str, fmt: Format | None) -> None:
    assert render_document(parse(text, fmt)) == text


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(SEEDS or VARIANTS),  # the fixtures in a plain clone
    st.integers(0, 25_000),
    st.integers(0, 3_000),
    st.lists(MARKDOWN_PIECES, max_size=8).map("".join),
)
def test_mutated_seeds_round_trip(path: Path, at: int, cut: int, insert: str) -> None:
    seed = _read(path)
    at %= len(seed) + 1
    text = seed[:at] + insert + seed[at + cut :]
    assert render_document(parse(text)) == text
