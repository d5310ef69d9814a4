"""Model → Markdown: golden files for the three builders, the daily draft's layout."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import PublicationSettings, load_profile
from pipeline.markdown.document import (
    BriefCategoryInput,
    BriefInput,
    BriefItemInput,
    DailyDocument,
    Link,
    WeeklyHighlight,
    WeeklyInput,
    WeeklyNewsGroup,
    WeeklyTopic,
)
from pipeline.markdown.lint import lint_text, reformat
from pipeline.markdown.parse import parse
from pipeline.markdown.render import (
    DEFAULT_TEMPLATES,
    build_brief,
    build_daily,
    build_weekly,
    render_daily,
    render_document,
    weekly_in_profile,
)
from pipeline.models import (
    DailyDraft,
    DigestMeta,
    Fact,
    Impact,
    MoreItem,
    SectionDraft,
    StoryDraft,
)
from pipeline.publish.memory import covered_in
from tests.conftest import AICODE, AICODE_CARD, FIXTURES, seed_text

GOLDEN = FIXTURES / "formats"
DIGEST = AICODE  # the seeds' publication: goldens are byte-identical to its drafts

GEMINI = StoryDraft(
    story_id="s1",
    headline="Gemini 3 Deep Think 升级：编程能力全球第8，仅剩7人能击败它",
    url="https://www.ithome.com/0/921/530.htm",
    lead="谷歌 2 月 12 日宣布对 Gemini 3 Deep Think 进行重大升级，"
    "在多项 AI 推理基准测试中刷新纪录：",
    facts=[
        Fact(label="Codeforces 编程平台", text="3455 Elo 分数，排名全球第 8 位"),
        Fact(label="ARC-AGI-2", text="84.6% 准确率，由 ARC Prize Foundation 验证"),
    ],
    analysis=[
        '这次升级标志着大模型在"深度推理"领域迈入新阶段。',
        "特别值得关注的是成本下降：新版每项任务成本降至 13.62 美元。",
    ],
)
ANTHROPIC = StoryDraft(
    story_id="s2",
    headline="Anthropic 完成 300 亿美元融资，估值达 3800 亿美元",
    url="https://www.ithome.com/0/921/545.htm",
    lead="Anthropic 于 2 月 12 日宣布完成 300 亿美元 G 轮融资，创造 AI 公司单轮股权融资历史纪录：",
    facts=[Fact(label="投后估值", text="3800 亿美元（约合 2.63 万亿元人民币）")],
    analysis=['这笔融资的规模和速度反映了资本市场对 AI "基础设施"公司的狂热追逐。'],
    impact=[
        Impact(label="对 AI 概念股", text="利好。创纪录融资将提振市场对 AI 企业的信心"),
        Impact(label="投资启示", text="AI 行业马太效应加剧，警惕估值泡沫风险"),
    ],
)
MORE = [
    MoreItem(
        story_id="m1",
        title="MiniMax 发布 M2.5 编程模型",
        url="https://mp.weixin.qq.com/s/M4LBGM3Jcy0syWvQ_78ahw",
        text="SWE-Bench Verified 80.2%",
        category="大模型发布与开源",
    ),
    MoreItem(
        story_id="m2",
        title="智元发布远征 A3 人形机器人",
        url="https://www.ithome.com/0/921/706.htm",
        text="完成凌空飞踹、连续飞踢等高难度动作",
        category="具身智能与机器人",
    ),
    MoreItem(
        story_id="m3",
        title="蚂蚁开源 Ming-Flash-Omni 2.0",
        url="https://www.qbitai.com/2026/02/379431.html",
        text="全模态大模型",
        category="大模型发布与开源",
    ),
]


def _draft(**changes: object) -> DailyDraft:
    draft = DailyDraft(
        date=dt.date(2026, 2, 14),
        meta=DigestMeta(
            title="大模型推理能力集体突破，Anthropic 3800亿美元创融资纪录",
            summary=[
                "Gemini 3 Deep Think 在 Codeforces 达到 3455 Elo",
                "Anthropic 完成 300 亿美元 G 轮融资",
            ],
        ),
        sections=[
            SectionDraft(key="models", title="大模型推理能力迎来集体突破", stories=[GEMINI]),
            SectionDraft(
                key="capital", title="AI 资本市场：创纪录融资与估值飙升", stories=[ANTHROPIC]
            ),
        ],
        more=MORE,
        cover_image="https://ssl.aicode.cc/n8n/2026/02-13/23-34-24-6VdwTvY0.png",
    )
    return draft.model_copy(update=changes)


WEEKLY = WeeklyInput(
    title="2026年2月第一周AI与科技动态周报",
    date=dt.date(2026, 2, 6),
    intro="本周AI领域依然精彩纷呈，OpenAI与Anthropic的竞争继续升温。",
    highlights=[
        WeeklyHighlight(title="OpenAI发布GPT-5.3-Codex编程模型", text="性能提升25%。"),
        WeeklyHighlight(title="AI Expo 2026聚焦数据治理与企业AI落地的挑战与实践"),
    ],
    topics=[
        WeeklyTopic(
            title="OpenAI与Anthropic竞速",
            paragraphs=["两者优势各有所长。"],
            sources=[
                Link(title="System Card", url="https://openai.com/index/gpt-5-3-codex-system-card"),
                Link(title="Claude Opus 4.6发布", url="https://the-decoder.com/claude-opus-4-6/"),
            ],
        ),
        WeeklyTopic(
            title="AI在真实世界的应用",
            bullets=["OpenAI与Snowflake合作。", "FedEx在测试通过AI改进包裹追踪。"],
        ),
    ],
    other_news=[
        WeeklyNewsGroup(label="娱乐与文化", text="HBO开发《博德之门》电视剧。"),
        WeeklyNewsGroup(label="体育盛会", text="2026年冬奥会将在多地开幕。"),
    ],
    summary="2026年2月的第一周，全球AI行业展现出竞争激烈、多元创新的局面。",
    reading=[
        Link(
            title="OpenAI GPT-5.3-Codex介绍",
            url="https://openai.com/index/introducing-gpt-5-3-codex",
        )
    ],
    archive=Link(title="AI news summary — 2026-06", url="../weekly_news/news_2026_06"),
    tags=["AI", "Jeremy"],
    closing=AICODE.weekly.closing,
)

BRIEF = BriefInput(
    date=dt.date(2026, 2, 8),
    categories=[
        BriefCategoryInput(
            name="政策与监管",
            items=[
                BriefItemInput(
                    title="广西发布十五五AI发展规划",
                    explanation="广西壮族自治区人大通过规划纲要,明确大力发展人工智能",
                    background='2025年新签约"人工智能+"产业项目超200个',
                    points=['构建"北上广研发+广西集成+东盟应用"发展路径', "建设可信数据专区"],
                    source_name="新华网",
                    source_url="http://www.gx.xinhuanet.com/20260207/66e561ef6b404e048da1d9e86d064ae2/c.html",
                )
            ],
        ),
        BriefCategoryInput(
            name="产品与应用发布",
            items=[
                BriefItemInput(
                    title="腾讯元宝发放10亿元红包",
                    explanation="腾讯元宝在春节期间发放10亿元红包吸引用户",
                    points=["投入10亿元发放红包"],
                    source_name="新浪财经",
                    source_url="https://finance.sina.com.cn/wm/2026-02-07/doc-inhkyrif4164012.shtml",
                )
            ],
        ),
    ],
)


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("golden_daily.md", lambda: render_daily(_draft(), DIGEST, DEFAULT_TEMPLATES)),
        ("golden_weekly.md", lambda: render_document(build_weekly(WEEKLY))),
        ("golden_brief.md", lambda: render_document(build_brief(BRIEF))),
    ],
)
def test_golden(name: str, render: object) -> None:
    assert callable(render)
    assert render() == (GOLDEN / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "doc",
    [build_daily(_draft(), DIGEST), build_weekly(WEEKLY), build_brief(BRIEF)],
    ids=["daily", "weekly", "brief"],
)
def test_built_documents_parse_back_to_themselves(doc: object) -> None:
    text = render_document(doc)  # type: ignore[arg-type]
    assert parse(text) == doc


def test_daily_layout_matches_the_published_seed() -> None:
    """Front-matter lines, heading forms and the footer are those of seed 002."""
    seed = seed_text("002")
    out = render_daily(_draft(), DIGEST, DEFAULT_TEMPLATES)
    assert [line.split(":")[0] for line in out.split("\n")[:9]] == [
        line.split(":")[0] for line in seed.split("\n")[:9]
    ]
    assert out.split("\n")[4:6] == seed.split("\n")[4:6]  # tags and seo lines
    assert out.endswith("\n\n---\n\n" + AICODE_CARD) and seed.endswith("\n\n---\n\n" + AICODE_CARD)
    for line in (
        "**深度解读 & 洞察：**",
        "**影响：**",
        "**大模型发布与开源：**",
        "### [Gemini 3 Deep Think 升级：编程能力全球第8，仅剩7人能击败它]"
        "(https://www.ithome.com/0/921/530.htm)",
    ):
        assert f"\n{line}\n" in seed and f"\n{line}\n" in out


def test_summary_escapes_quotes_and_backslashes() -> None:
    meta = DigestMeta(title="T", summary=['说 "你好"', "路径 C:\\AI"])
    out = render_daily(_draft(meta=meta), DIGEST, DEFAULT_TEMPLATES)
    assert 'summary: "- 说 \\"你好\\"\\n- 路径 C:\\\\AI"\n' in out
    doc = parse(out)
    assert isinstance(doc, DailyDocument) and doc.front is not None
    front = doc.front
    assert front is not None and front.text("summary") == '- 说 "你好"\n- 路径 C:\\AI'


def test_no_summary_means_no_key() -> None:
    out = render_daily(_draft(meta=DigestMeta(title="T", summary=[])), DIGEST, DEFAULT_TEMPLATES)
    assert "\nsummary:" not in out


@pytest.mark.parametrize(
    ("title", "line"),
    [
        ("AI 日报：今日要闻", "title: AI 日报：今日要闻"),
        ("Claude: new model", 'title: "Claude: new model"'),
        ("#1 story", 'title: "#1 story"'),
    ],
)
def test_title_is_quoted_only_when_yaml_needs_it(title: str, line: str) -> None:
    out = render_daily(_draft(meta=DigestMeta(title=title, summary=[])), DIGEST, DEFAULT_TEMPLATES)
    assert f"\n{line}\n" in out


def test_more_items_are_grouped_only_with_categories() -> None:
    plain = [m.model_copy(update={"category": None}) for m in MORE]
    out = render_daily(_draft(more=plain), DIGEST, DEFAULT_TEMPLATES)
    assert "## 更多动态\n\n- [MiniMax 发布 M2.5 编程模型](" in out
    assert "：**\n" not in out.split("## 更多动态")[1]


def test_without_more_items_the_footer_rule_closes_the_last_story() -> None:
    out = render_daily(_draft(more=[]), DIGEST, DEFAULT_TEMPLATES)
    assert "---\n\n---" not in out
    assert out.endswith("警惕估值泡沫风险\n\n---\n\n" + AICODE_CARD)


def test_degraded_and_unsupported_stories_carry_the_markers() -> None:
    story = GEMINI.model_copy(update={"degraded": True, "unsupported": ["全球仅 7 人"]})
    section = SectionDraft(key="k", title="模型", stories=[story])
    out = render_daily(_draft(sections=[section]), DIGEST, DEFAULT_TEMPLATES)
    assert "\n【待编辑】谷歌 2 月 12 日" in out
    assert "\n【待核实：全球仅 7 人】\n" in out


def test_findings_already_marked_inline_get_no_second_marker() -> None:
    lead = GEMINI.lead + "成本 3900 亿美元【待核实：3900 亿美元】。"
    story = GEMINI.model_copy(
        update={
            "lead": lead,
            "unsupported": [
                "数字 3900 亿美元 不见于来源",
                "链接 https://evil.example/x 不是本条来源",
            ],
        }
    )
    section = SectionDraft(key="k", title="模型", stories=[story])
    out = render_daily(_draft(sections=[section]), DIGEST, DEFAULT_TEMPLATES)
    assert out.count("【待核实：3900 亿美元】") == 1
    assert "数字 3900 亿美元 不见于来源" not in out
    assert "\n【待核实：链接 https[:]//evil[.]example/x 不是本条来源】\n" in out  # not a link


def test_unsafe_headlines_and_urls_cannot_break_links() -> None:
    story = GEMINI.model_copy(
        update={"headline": "Gemini [beta]\n发布", "url": "https://a.cn/x (1)"}
    )
    out = render_daily(
        _draft(sections=[SectionDraft(key="k", title="模型", stories=[story])]),
        DIGEST,
        DEFAULT_TEMPLATES,
    )
    assert "### [Gemini \\[beta\\] 发布](https://a.cn/x%20%281%29)\n" in out


def test_daily_draft_has_no_final_newline_and_weekly_brief_do() -> None:
    assert not render_daily(_draft(), DIGEST, DEFAULT_TEMPLATES).endswith("\n")
    assert render_document(build_weekly(WEEKLY)).endswith(")\n")
    assert render_document(build_brief(BRIEF)).endswith(")\n")


PIECES = [*"AI模型融资发布 -*#[]()<>:：`~|\\\"'\n\t12.、", "**", "---", "## ", "- "]
WORDS = (
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=20)
    .map("".join)
    .filter(lambda text: any(ch.isalnum() for ch in text))
)
URLS = st.sampled_from(["https://a.cn/1", "https://b.cn/x y", "http://c.cn/(p)", "https://d.cn/"])


@st.composite
def drafts(draw: st.DrawFn) -> DailyDraft:
    """Daily drafts with hostile text: headings, bullets, brackets and newlines inside."""
    stories = [
        StoryDraft(
            story_id=f"s{n}",
            headline=draw(WORDS),
            url=draw(URLS),
            lead=draw(WORDS),
            facts=[Fact(label=draw(WORDS), text=draw(WORDS))],
            analysis=draw(st.lists(WORDS, max_size=2)),
            impact=draw(st.lists(st.builds(Impact, label=WORDS, text=WORDS), max_size=2)),
        )
        for n in range(draw(st.integers(1, 3)))
    ]
    more = [
        MoreItem(
            story_id=f"m{n}",
            title=draw(WORDS),
            url=draw(URLS),
            text=draw(WORDS),
            category=draw(st.sampled_from([None, "模型", "应用"])),
        )
        for n in range(draw(st.integers(0, 3)))
    ]
    meta = DigestMeta(title=draw(WORDS), summary=draw(st.lists(WORDS, max_size=3)))
    section = SectionDraft(key="k", title=draw(WORDS), stories=stories)
    return _draft(meta=meta, sections=[section], more=more)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(drafts())
def test_generated_drafts_keep_their_structure(draft: DailyDraft) -> None:
    """Whatever the LLM writes, the draft parses back into the same stories and links."""
    doc = build_daily(draft, DIGEST)
    text = render_document(doc)
    assert parse(text) == doc
    stories = covered_in(text, "daily")
    expected = len(draft.sections[0].stories) + len(draft.more)
    assert len(stories) == expected
    assert all(s.urls for s in stories)


# --- publication profiles (issue 19) ---------------------------------------------------

OTHER = load_profile(FIXTURES / "profiles" / "other.toml")
NEUTRAL = PublicationSettings()


OTHER_COVER = "https://img.example.org/digest/daily/img/2026-02-14.png"


@pytest.mark.parametrize(
    ("name", "publication", "cover"),
    [("golden_daily_other.md", OTHER, OTHER_COVER), ("golden_daily_neutral.md", NEUTRAL, "")],
    ids=["other", "neutral"],
)
def test_golden_in_other_profiles(name: str, publication: PublicationSettings, cover: str) -> None:
    out = render_daily(_draft(cover_image=cover), publication)
    assert out == (GOLDEN / name).read_text(encoding="utf-8")
    assert reformat(out) == out and lint_text(out, publication=publication) == []


def test_another_publication_renders_its_own_front_matter_and_footer() -> None:
    out = render_daily(_draft(cover_image="https://img.example.org/digest/daily/img/x.png"), OTHER)
    assert "\ncategory: AI 早报\n" in out
    assert '\ntags: ["人工智能","早报"]\nseo: ["AI 早报","机器之眼","大模型"]\n' in out
    assert out.endswith("\n\n---\n\n*机器之眼 AI 早报 · 2026年2月14日 · 转载请注明出处*\n")
    assert "telegram" not in out and "aicode" not in out.split("coverImage")[0]


def test_without_a_footer_the_draft_ends_with_its_last_item() -> None:
    out = render_daily(_draft(cover_image=""), NEUTRAL)
    assert out.endswith("完成凌空飞踹、连续飞踢等高难度动作\n")
    no_more = render_daily(_draft(more=[], cover_image=""), NEUTRAL)
    assert no_more.endswith("警惕估值泡沫风险\n")  # no rule left dangling after the last story
    doc = build_daily(_draft(), NEUTRAL)
    assert doc.footer is None and parse(render_document(doc)) == doc


def test_an_editor_given_cover_image_is_what_the_draft_carries() -> None:
    out = render_daily(_draft(cover_image="https://cdn.example.org/own.png"), OTHER)
    assert '\ncoverImage: "https://cdn.example.org/own.png"\n' in out


def test_a_weekly_takes_the_publications_tags_sign_off_and_archive_link() -> None:
    bare = WEEKLY.model_copy(update={"tags": ["x"], "closing": [], "archive": None})
    aicode = render_document(build_weekly(weekly_in_profile(bare, AICODE.weekly, (2026, 6))))
    assert aicode == (GOLDEN / "golden_weekly.md").read_text(encoding="utf-8")
    neutral = render_document(build_weekly(weekly_in_profile(WEEKLY, NEUTRAL.weekly, (2026, 6))))
    assert "\ntags:\n  - AI\n  - AI 周报\n" in neutral and "Jeremy" not in neutral
    assert "本公众号" not in neutral and "weekly_news" not in neutral
    assert neutral.endswith(
        "[OpenAI GPT-5.3-Codex介绍](https://openai.com/index/introducing-gpt-5-3-codex)  \n"
    )
    assert lint_text(neutral) == [] and reformat(neutral) == neutral
    assert parse(neutral) == build_weekly(weekly_in_profile(WEEKLY, NEUTRAL.weekly, (2026, 6)))
